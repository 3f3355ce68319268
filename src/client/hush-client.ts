// The programmatic client (the package's main export): one method per route of the contract, over
// the same AgentClient and connectAgent the CLI uses, so it finds or starts the agent the same way
// and seals every value to the agent's key before it leaves this process.
import {
  type AuditEvent,
  type ConflictRule,
  type CreateSecretOutput,
  type DeleteSecretOutput,
  type DeploymentDetail,
  type Hello,
  type InitOutput,
  type KeyringMode,
  type RestoreMode,
  type RestoreOutput,
  type ResubmitOutput,
  type RotateKeyOutput,
  type RotateSecretOutput,
  routes,
  type SealedValue,
  type SealState,
  type SecretDetail,
  type SecretInfo,
  type SubmitInput,
  type SubmitOutput,
} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {EndInfo} from '../api/frames.js'
import {type HushPaths, resolvePaths} from '../config/paths.js'
import {type Connection, connectAgent} from './connect.js'
import {type LogChunk, logChunks} from './logs.js'
import {type PlainValues, plainValues, sealValues, wipeValues} from './seal.js'

export interface HushClientOptions {
  /** The state directory of the store; default: HUSH_HOME, else the XDG data directory (like the CLI). */
  home?: string
  /** Start the agent when none answers (default true, like the CLI). */
  start?: boolean
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

function yes(flag: boolean | undefined): {[key: string]: string} | undefined {
  return flag ? {} : undefined
}

/** Any failure as a HushError: a dropped socket means the agent went away. */
function asHushError(error: unknown): HushError {
  if (error instanceof HushError) return error
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
  return new HushError('daemon_unreachable', `Lost the connection to the hush agent (${reason}): try again.`)
}

export class HushClient {
  readonly paths: HushPaths
  private connecting: Promise<Connection> | undefined

  constructor(private readonly options: HushClientOptions = {}) {
    this.paths = resolvePaths(options.home === undefined ? process.env : {...process.env, HUSH_HOME: options.home})
  }

  /** Wraps a connection someone already made (the CLI's), without connecting again. */
  static over(connection: Connection, paths: HushPaths): HushClient {
    const client = new HushClient({home: paths.home})
    client.connecting = Promise.resolve(connection)
    return client
  }

  /** The agent's connection: found, started or restarted (other version) on first use. */
  connection(): Promise<Connection> {
    this.connecting ??= connectAgent(this.paths, {start: this.options.start}).catch((error: unknown) => {
      this.connecting = undefined
      throw error
    })
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
        ...(options.includeDeleted ? {includeDeleted: 'true'} : {}),
        ...(options.app === undefined ? {} : {app: options.app}),
        ...(options.shared ? {shared: 'true'} : {}),
      }),
    )
  }

  /** Creates NAME (of that scope), or replaces its whole bundle (version + 1). Values are sealed here. */
  createSecret(
    name: string,
    values: SecretValues | PlainValues,
    options: SecretOptions = {},
  ): Promise<CreateSecretOutput> {
    const plain = values instanceof Map ? values : plainValues(values)
    return this.sealed(plain, (c, sealed) =>
      c.client.call(routes.createSecret, {name, app: options.app, description: options.description, values: sealed}),
    )
  }

  /** New values for the given keys, the other keys kept, keys renamed or removed (version + 1). */
  rotateSecret(
    name: string,
    values: SecretValues | PlainValues,
    options: RotateOptions = {},
  ): Promise<RotateSecretOutput> {
    const plain = values instanceof Map ? values : plainValues(values)
    return this.sealed(plain, (c, sealed) =>
      c.client.call(routes.rotateSecret, {
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
        ...(options.includeDeleted ? {includeDeleted: 'true'} : {}),
      }),
    )
  }

  /** Soft delete; refused (`secret_in_use`) while a live deployment uses it, unless `force`. */
  deleteSecret(name: string, options: {force?: boolean; app?: string} = {}): Promise<DeleteSecretOutput> {
    return this.call((c) =>
      c.client.call(routes.deleteSecret, {
        name,
        ...(options.app === undefined ? {} : {app: options.app}),
        ...(yes(options.force) && {force: 'true'}),
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
    return this.call((c) =>
      c.client.call(routes.audit, options.limit === undefined ? {} : {limit: String(options.limit)}),
    )
  }

  /** Chooses where the master key lives; passphrase mode needs the new passphrase. */
  init(keyring: KeyringMode, passphrase?: string | Uint8Array): Promise<InitOutput> {
    if (passphrase === undefined) return this.call((c) => c.client.call(routes.init, {keyring}))
    return this.sealed(plainPassphrase(passphrase), (c, sealed) =>
      c.client.call(routes.init, {keyring, passphrase: sealed.passphrase}, {wait: true}),
    )
  }

  /** Passphrase mode: opens the store. */
  unseal(passphrase: string | Uint8Array): Promise<SealState> {
    return this.sealed(plainPassphrase(passphrase), (c, sealed) =>
      c.client.call(routes.unseal, {passphrase: sealed.passphrase}, {wait: true}),
    )
  }

  /** Passphrase mode: drops the key from the agent's memory. */
  seal(): Promise<SealState> {
    return this.call((c) => c.client.call(routes.seal, {}))
  }

  /**
   * The whole store as an encrypted backup file (the agent seals it under `passphrase`); write the
   * bytes where you keep backups. `includeDeleted` adds deleted secrets' metadata and the audit trail.
   */
  async backup(passphrase: string | Uint8Array, options: {includeDeleted?: boolean} = {}): Promise<Buffer> {
    const output = await this.sealed(plainPassphrase(passphrase), (c, sealed) =>
      c.client.call(
        routes.backup,
        {passphrase: sealed.passphrase, ...(options.includeDeleted ? {includeDeleted: true} : {})},
        {wait: true},
      ),
    )
    return Buffer.from(output.file, 'base64')
  }

  /** Restores a backup file's bytes: into an empty store (default), or merged with a conflict rule. */
  restore(
    file: Uint8Array,
    passphrase: string | Uint8Array,
    options: {mode?: RestoreMode; onConflict?: ConflictRule} = {},
  ): Promise<RestoreOutput> {
    const mode = options.mode ?? 'into-empty'
    return this.sealed(plainPassphrase(passphrase), (c, sealed) =>
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
  rotateKey(passphrase?: string | Uint8Array): Promise<RotateKeyOutput> {
    if (passphrase === undefined) return this.call((c) => c.client.call(routes.rotateKey, {}, {wait: true}))
    return this.sealed(plainPassphrase(passphrase), (c, sealed) =>
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

/** A passphrase as bytes of our own (wiped after sealing; a JS string itself cannot be wiped). */
function plainPassphrase(passphrase: string | Uint8Array): PlainValues {
  const bytes = typeof passphrase === 'string' ? new TextEncoder().encode(passphrase) : Uint8Array.from(passphrase)
  return new Map([['passphrase', bytes]])
}
