// Everything one running agent holds: its paths, transport keys, store, data key (its lifecycle and
// changes) and services.
// Handlers receive this object; nothing else in the agent is global.
import type {BoxedValue, Hello} from '../api/contract.js'
import {PROTOCOL} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {parseTtl, TTL_HELP, type UnlockTtl} from '../api/rules/ttl.js'
import {dockerEnvironmentTag} from '../config/docker.js'
import type {HushPaths} from '../config/paths.js'
import {preference} from '../config/preferences.js'
import type {Sodium} from '../crypto/sodium.js'
import {newTransportKeys, openBox, type TransportKeys} from '../crypto/transport.js'
import {VERSION} from '../version.js'
import {DeploymentsService} from './deployments/service.js'
import {deploymentTargets} from './deployments/targets.js'
import {log} from './process/log.js'
import {BackupService} from './secrets/backup.js'
import {SecretsService} from './secrets/service.js'
import {Store} from './store/secrets-table.js'
import {DataKey} from './vault/data-key.js'
import {KeyChange} from './vault/key-change.js'
import {KeyLifecycle} from './vault/key-lifecycle.js'
import {OsKeyringSource} from './vault/key-sources.js'

export class Agent {
  readonly transport: TransportKeys
  readonly store: Store
  readonly dataKey: DataKey
  readonly keyLifecycle: KeyLifecycle
  readonly keyChange: KeyChange
  readonly secrets: SecretsService
  readonly deployments: DeploymentsService
  readonly backups: BackupService
  readonly startedAt = new Date().toISOString()
  /** Its environment is fixed from its start (config/agent-env.ts), so its docker environment is too. */
  private readonly dockerEnvironment = dockerEnvironmentTag(process.env)

  constructor(
    readonly paths: HushPaths,
    readonly sodium: Sodium,
    readonly requestShutdown: () => void,
  ) {
    this.transport = newTransportKeys(sodium)
    this.store = new Store(paths.db)
    this.dataKey = new DataKey(sodium, this.store, new OsKeyringSource(this.store.storeId))
    this.keyLifecycle = new KeyLifecycle(sodium, this.store, this.dataKey)
    this.keyChange = new KeyChange(sodium, this.store, this.dataKey, this.keyLifecycle)
    const storeId = () => this.store.labelId
    this.deployments = new DeploymentsService(this.store, this.dataKey, paths, log, (records) =>
      deploymentTargets(storeId, records, paths, log),
    )
    this.keyChange.addCiphertextHolder(this.deployments)
    this.secrets = new SecretsService(this.store, this.dataKey, sodium, this.transport, this.deployments)
    this.backups = new BackupService(this.store, this.dataKey, sodium)
  }

  hello(): Hello {
    return {
      name: 'hush',
      version: VERSION,
      protocol: PROTOCOL,
      pid: process.pid,
      publicKey: this.sodium.to_base64(this.transport.publicKey, this.sodium.base64_variants.ORIGINAL),
      home: this.paths.home,
      socket: this.paths.socket,
      keyring: this.dataKey.mode,
      keyringAccount: this.dataKey.mode === 'os' ? this.store.storeId : null,
      sealed: this.dataKey.sealed,
      unlockCache: this.keyLifecycle.cacheState,
      startedAt: this.startedAt,
      dockerEnvironment: this.dockerEnvironment,
    }
  }

  /** At start: a passphrase store opens from the unlock cache an earlier agent left (kernel keyring). */
  async open(): Promise<void> {
    if (this.dataKey.mode !== 'passphrase') return
    try {
      const cache = await this.keyLifecycle.openFromCache()
      if (cache.state === 'present')
        log.info(
          `store opened from the kernel keyring (${cache.expiresAt ? `until ${cache.expiresAt}` : 'until reboot'})`,
        )
      else if (cache.problem) log.warn(`store sealed: ${cache.problem}`)
    } catch (error) {
      log.error('opening the store from the kernel keyring failed', error)
    }
  }

  /** The unlock cache's TTL: the one asked for, else the `unsealTtl` preference (default: until reboot). */
  unlockTtl(asked: string | undefined): UnlockTtl {
    if (asked !== undefined) {
      const ttl = parseTtl(asked)
      if (ttl === undefined) throw new HushError('bad_request', `\`ttl\` must be ${TTL_HELP}.`)
      return ttl
    }
    const preferred = preference(this.paths.home, 'unsealTtl')
    const ttl = parseTtl(String(preferred))
    if (ttl === undefined) {
      throw new HushError(
        'bad_request',
        `The unsealTtl preference (${JSON.stringify(preferred).slice(0, 40)}) must be ${TTL_HELP}: fix preferences.json in ${this.paths.home}.`,
      )
    }
    return ttl
  }

  /**
   * Opens a passphrase boxed to this agent's public key and hands its bytes to `use`; they are
   * wiped (memzero) once `use` is done, whether it returns or throws.
   */
  async withPassphrase<T>(boxed: BoxedValue | undefined, use: (passphrase: Uint8Array) => T | Promise<T>): Promise<T> {
    const bytes = boxed === undefined ? undefined : openBox(this.sodium, this.transport, boxed)
    if (!bytes) {
      throw new HushError(
        'unopenable_value',
        "The passphrase was not sealed to this agent's public key (the agent may have restarted): run the command again.",
      )
    }
    try {
      return await use(bytes)
    } finally {
      this.sodium.memzero(bytes)
    }
  }

  close(): void {
    this.deployments.close()
    this.keyLifecycle.lock()
    this.sodium.memzero(this.transport.privateKey)
    this.store.close()
  }
}
