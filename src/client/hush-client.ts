// The programmatic client (the package's main export) and the one way every CLI command reaches the
// agent: one method per route of the contract, over AgentClient and connectAgent, so it finds or
// starts the agent the same way, and seals every value and passphrase to the agent's key (once more
// with a fresh key if the agent restarted in between) before it leaves this process.
import {
  type AuditEvent,
  type ChangePassphraseOutput,
  type ConflictRule,
  type CreateSecretOutput,
  type DeleteSecretOutput,
  type DeploymentDetail,
  type EngineStatus,
  type Hello,
  type InitOutput,
  type KeyringMode,
  type KeyringStatus,
  type RestoreMode,
  type RestoreOutput,
  type ResubmitOutput,
  type RotateKeyOutput,
  type RotateSecretInput,
  type RotateSecretOutput,
  type Route,
  routes,
  type SealedValue,
  type SealState,
  type SecretDetail,
  type SecretInfo,
  type StoreStatus,
  type SubmitInput,
  type SubmitOutput,
  type VerifyBackupOutput,
} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {EndInfo} from '../api/frames.js'
import {type HushPaths, resolvePaths} from '../config/paths.js'
import {type PlainValues, plainValues, sealValues, wipeValues} from './box.js'
import {type Connection, connectAgent, waitUntilGone} from './connect.js'
import {type LogChunk, logChunks} from './logs.js'
import {asHushError} from './socket-errors.js'

export interface HushClientOptions {
  /** The state directory of the store; default: HUSH_HOME, else the XDG data directory (like the CLI). */
  home?: string
  /** Start the agent when none answers (default true, like the CLI). */
  start?: boolean
  /** The longest an answer may take, for calls that do not wait on docker (default: no limit of hush's own). */
  timeoutMs?: number
  /** How to reach the agent (default connectAgent); a test gives an in-process one. */
  connect?: (paths: HushPaths, options: {start?: boolean; timeoutMs?: number}) => Promise<Connection>
}

/** Secret values by key: text (UTF-8) or bytes. Never sent as such: each is sealed to the agent first. */
export type SecretValues = Record<string, string | Uint8Array>

export interface SecretOptions {
  description?: string
  /** Scope the secret to deployments named APP (`submit` with `name: APP`); absent = shared. */
  app?: string
}

export interface RotateOptions extends SecretOptions {
  /** Keys to rename, OLD: NEW (the values move inside the agent). */
  rename?: Record<string, string>
  /** Keys to remove (one key at least must remain). */
  remove?: string[]
}

export interface ListSecretsOptions {
  includeDeleted?: boolean
  /** Only the secrets scoped to this app. */
  app?: string
  /** Only the shared secrets. */
  shared?: boolean
}

/** A passphrase given to a method: text, or bytes (copied here; the caller's bytes stay the caller's to wipe). */
export type Passphrase = string | Uint8Array

export class HushClient {
  readonly paths: HushPaths
  private connecting: Promise<Connection> | undefined

  constructor(private readonly options: HushClientOptions = {}) {
    this.paths = resolvePaths(options.home === undefined ? process.env : {...process.env, HUSH_HOME: options.home})
  }

  /** The agent's connection: found, started or restarted (other version) on first use. */
  connection(): Promise<Connection> {
    const connect = this.options.connect ?? connectAgent
    this.connecting ??= connect(this.paths, {start: this.options.start, timeoutMs: this.options.timeoutMs}).catch(
      (error: unknown) => {
        this.connecting = undefined
        throw error
      },
    )
    return this.connecting
  }

  private async call<T>(send: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await this.connection()
    try {
      return await send(connection)
    } catch (error) {
      throw asHushError(error)
    }
  }

  /** Seals `plain` to the agent's key and sends it; once more with the new key if the agent restarted meanwhile. */
  private async sealed<T>(
    plain: PlainValues,
    send: (connection: Connection, values: Record<string, SealedValue>) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.call(async (connection) => {
        try {
          return await send(connection, await sealValues(connection.hello.publicKey, plain))
        } catch (error) {
          if (!(error instanceof HushError && error.code === 'unopenable_value')) throw error
          connection.hello = await connection.client.call(routes.hello, {})
          return await send(connection, await sealValues(connection.hello.publicKey, plain))
        }
      })
    } finally {
      wipeValues(plain)
    }
  }

  /** The agent's identity: version, public key, store, keyring mode, sealed or not. */
  async hello(): Promise<Hello> {
    const hello = await this.call((c) => c.client.call(routes.hello, {}))
    ;(await this.connection()).hello = hello
    return hello
  }

  listSecrets(options: ListSecretsOptions = {}): Promise<SecretInfo[]> {
    return this.call((c) =>
      c.client.call(routes.listSecrets, {
        ...(options.includeDeleted ? {includeDeleted: true} : {}),
        ...(options.app === undefined ? {} : {app: options.app}),
        ...(options.shared ? {shared: true} : {}),
      }),
    )
  }

  /** Creates NAME (of that scope), or replaces its whole bundle (version + 1). Values are sealed here. */
  createSecret(
    name: string,
    values: SecretValues | PlainValues,
    options: SecretOptions = {},
  ): Promise<CreateSecretOutput> {
    return this.writeSecret(routes.createSecret, name, values, options)
  }

  /** New values for the given keys, the other keys kept, keys renamed or removed (version + 1). */
  rotateSecret(
    name: string,
    values: SecretValues | PlainValues,
    options: RotateOptions = {},
  ): Promise<RotateSecretOutput> {
    return this.writeSecret(routes.rotateSecret, name, values, options)
  }

  /** The two secret writes: the values sealed here, the options as fields of the request. */
  private writeSecret<O>(
    route: Route<RotateSecretInput, O>,
    name: string,
    values: SecretValues | PlainValues,
    options: RotateOptions,
  ): Promise<O> {
    const plain = values instanceof Map ? values : plainValues(values)
    return this.sealed(plain, (c, sealed) =>
      c.client.call(route, {
        name,
        app: options.app,
        description: options.description,
        values: sealed,
        ...(options.rename === undefined ? {} : {rename: options.rename}),
        ...(options.remove === undefined ? {} : {remove: options.remove}),
      }),
    )
  }

  /** One secret in full: metadata, and the live deployments using it with the version each runs. */
  showSecret(name: string, options: {app?: string; includeDeleted?: boolean} = {}): Promise<SecretDetail> {
    return this.call((c) =>
      c.client.call(routes.showSecret, {
        name,
        ...(options.app === undefined ? {} : {app: options.app}),
        ...(options.includeDeleted ? {includeDeleted: true} : {}),
      }),
    )
  }

  /** Soft delete; refused (`secret_in_use`) while a live deployment uses it, unless `force`. */
  deleteSecret(name: string, options: {force?: boolean; app?: string} = {}): Promise<DeleteSecretOutput> {
    return this.call((c) =>
      c.client.call(routes.deleteSecret, {
        name,
        ...(options.app === undefined ? {} : {app: options.app}),
        ...(options.force ? {force: true} : {}),
      }),
    )
  }

  /** Resolves the secrets (all or nothing) and launches one container. */
  submit(input: SubmitInput): Promise<SubmitOutput> {
    return this.call((c) => c.client.call(routes.submit, input, {wait: true}))
  }

  /** Resolves every secret again, then replaces the container (revision + 1). */
  resubmit(id: string): Promise<ResubmitOutput> {
    return this.call((c) => c.client.call(routes.resubmit, {id}, {wait: true}))
  }

  /** Every deployment, or one in full; states read from docker. */
  status(): Promise<DeploymentDetail[]>
  status(id: string): Promise<DeploymentDetail>
  status(id?: string): Promise<DeploymentDetail[] | DeploymentDetail> {
    return this.call<DeploymentDetail[] | DeploymentDetail>((c) =>
      id === undefined ? c.client.call(routes.listDeployments, {}) : c.client.call(routes.getDeployment, {id}),
    )
  }

  /** Stops (SIGTERM, SIGKILL after `grace` seconds) and removes the container; state terminated. */
  terminate(id: string, options: {grace?: number} = {}): Promise<DeploymentDetail> {
    return this.call((c) =>
      c.client.call(
        routes.terminate,
        {id, ...(options.grace === undefined ? {} : {grace: options.grace})},
        {wait: true},
      ),
    )
  }

  /**
   * The container's output, every injected value replaced by `***`. With `follow`, it goes on until
   * the container stops, and the generator's return value says how it ended.
   */
  async *logs(id: string, options: {follow?: boolean} = {}): AsyncGenerator<LogChunk, EndInfo | undefined> {
    const connection = await this.connection()
    try {
      return yield* logChunks(connection.client, id, options.follow ?? false)
    } catch (error) {
      throw asHushError(error)
    }
  }

  audit(options: {limit?: number} = {}): Promise<AuditEvent[]> {
    return this.call((c) => c.client.call(routes.audit, options.limit === undefined ? {} : {limit: options.limit}))
  }

  /**
   * Chooses where the master key lives; passphrase mode needs the new passphrase. `ttl`: how long
   * the kernel keyring keeps the unlocked key (see api/rules/ttl.ts).
   */
  init(keyring: KeyringMode, passphrase?: Passphrase, options: {ttl?: string} = {}): Promise<InitOutput> {
    if (passphrase === undefined) return this.call((c) => c.client.call(routes.init, {keyring}))
    return this.sealed(plainPassphrases({passphrase}), (c, sealed) =>
      c.client.call(
        routes.init,
        {keyring, passphrase: sealed.passphrase, ...(options.ttl === undefined ? {} : {ttl: options.ttl})},
        {wait: true},
      ),
    )
  }

  /** Passphrase mode: opens the store; `ttl` as for init. */
  unseal(passphrase: Passphrase, options: {ttl?: string} = {}): Promise<SealState> {
    return this.sealed(plainPassphrases({passphrase}), (c, sealed) =>
      c.client.call(
        routes.unseal,
        {passphrase: sealed.passphrase, ...(options.ttl === undefined ? {} : {ttl: options.ttl})},
        {wait: true},
      ),
    )
  }

  /** Passphrase mode: the data key re-wrapped under a new passphrase. */
  changePassphrase(current: Passphrase, next: Passphrase): Promise<ChangePassphraseOutput> {
    return this.sealed(plainPassphrases({passphrase: current, newPassphrase: next}), (c, sealed) =>
      c.client.call(
        routes.changePassphrase,
        {passphrase: sealed.passphrase, newPassphrase: sealed.newPassphrase},
        {wait: true},
      ),
    )
  }

  /** Where the master key comes from, checked now. */
  keyringStatus(): Promise<KeyringStatus> {
    return this.call((c) => c.client.call(routes.keyringStatus, {}))
  }

  /** The agent's own docker engine; with `reach`, whether it answers. */
  engineStatus(reach = false): Promise<EngineStatus> {
    return this.call((c) => c.client.call(routes.engineStatus, {reach}))
  }

  /** The store as `doctor` shows it: id, schema version, counts. */
  storeStatus(): Promise<StoreStatus> {
    return this.call((c) => c.client.call(routes.storeStatus, {}))
  }

  /** Stops the agent and waits until it is gone (its containers keep running). */
  async stopAgent(): Promise<void> {
    await this.call(async (c) => {
      await c.client.call(routes.shutdown, {})
      await waitUntilGone(c.client)
    })
  }

  /** Passphrase mode: drops the key from the agent's memory. */
  seal(): Promise<SealState> {
    return this.call((c) => c.client.call(routes.seal, {}))
  }

  /**
   * The whole store as an encrypted backup file (the agent seals it under `passphrase`); write the
   * bytes where you keep backups. `includeDeleted` adds deleted secrets' metadata and the audit trail.
   */
  async backup(passphrase: Passphrase, options: {includeDeleted?: boolean} = {}): Promise<Buffer> {
    const output = await this.sealed(plainPassphrases({passphrase}), (c, sealed) =>
      c.client.call(
        routes.backup,
        {passphrase: sealed.passphrase, ...(options.includeDeleted ? {includeDeleted: true} : {})},
        {wait: true},
      ),
    )
    return Buffer.from(output.file, 'base64')
  }

  /** Checks a backup file's passphrase and every byte; changes nothing. */
  verifyBackup(file: Uint8Array, passphrase: Passphrase): Promise<VerifyBackupOutput> {
    return this.sealed(plainPassphrases({passphrase}), (c, sealed) =>
      c.client.call(
        routes.verifyBackup,
        {file: Buffer.from(file).toString('base64'), passphrase: sealed.passphrase},
        {wait: true},
      ),
    )
  }

  /** Restores a backup file's bytes: into an empty store (default), or merged with a conflict rule. */
  restore(
    file: Uint8Array,
    passphrase: Passphrase,
    options: {mode?: RestoreMode; onConflict?: ConflictRule} = {},
  ): Promise<RestoreOutput> {
    const mode = options.mode ?? 'into-empty'
    return this.sealed(plainPassphrases({passphrase}), (c, sealed) =>
      c.client.call(
        routes.restore,
        {
          file: Buffer.from(file).toString('base64'),
          passphrase: sealed.passphrase,
          mode,
          ...(mode === 'merge' ? {onConflict: options.onConflict ?? 'fail'} : {}),
        },
        {wait: true},
      ),
    )
  }

  /** A new data key, every value re-encrypted in one transaction; a passphrase store needs its passphrase. */
  rotateKey(passphrase?: Passphrase): Promise<RotateKeyOutput> {
    if (passphrase === undefined) return this.call((c) => c.client.call(routes.rotateKey, {}, {wait: true}))
    return this.sealed(plainPassphrases({passphrase}), (c, sealed) =>
      c.client.call(routes.rotateKey, {passphrase: sealed.passphrase}, {wait: true}),
    )
  }

  /** Closes the socket connection (the agent keeps running until its idle timeout). */
  async close(): Promise<void> {
    const connecting = this.connecting
    this.connecting = undefined
    if (connecting) await (await connecting.catch(() => undefined))?.client.close()
  }
}

/** Passphrases by field, as bytes of our own (wiped after sealing; a JS string itself cannot be wiped). */
function plainPassphrases(passphrases: Record<string, Passphrase>): PlainValues {
  return new Map(
    Object.entries(passphrases).map(([field, passphrase]) => [
      field,
      typeof passphrase === 'string' ? new TextEncoder().encode(passphrase) : Uint8Array.from(passphrase),
    ]),
  )
}
