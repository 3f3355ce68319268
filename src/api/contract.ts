// The one typed contract between the CLI and the agent: every route with its method, path,
// input and output. Both ends import it, so a changed field breaks the compiler, not a user.
//
// Input travels as path parameters (`:name`), then the query string for GET and DELETE,
// or a JSON body for POST. No output type holds a secret value.
//
// Sealed guard: in passphrase mode every route answers 503 `sealed` while the store is sealed,
// unless it is declared with `{whileSealed: true}` (the server checks this in one place). New
// secret and deploy routes therefore get the guard by default, without declaring anything.
//
// Checked input: each route's input is a schema (valibot, strict objects), and its TypeScript type
// is derived from it. The server checks every request against it before dispatch (api/route-input.ts):
// an unknown field or a wrong type is refused with 400 naming the field, so handlers get true types.
// Flags and numbers are JSON booleans and numbers; only a query string (GET, DELETE) carries them
// as text, converted by the server from the schema.

import * as v from 'valibot'
import type {DeploymentTarget, RunOptions} from './rules/run-options.js'

export type {DeploymentTarget, RunOptions}

export type Method = 'GET' | 'POST' | 'DELETE'

/** The schema of a route's input: a strict object (path parameters included), no transforms. */
export type InputSchema = v.StrictObjectSchema<v.ObjectEntries, undefined>

export interface Route<I, O> {
  readonly method: Method
  readonly path: `/v1/${string}`
  /** The input's schema: every field it may hold and its type; anything else is refused. */
  readonly input: InputSchema
  /** True for the few routes that work while the store is sealed (hello, unseal, ...). */
  readonly whileSealed: boolean
  /** A streaming route answers framed bytes (see api/frames.ts) instead of one JSON body. */
  readonly stream?: true
  /** A larger request body than MAX_BODY_BYTES (only routes that carry a whole backup file). */
  readonly maxBodyBytes?: number
  /** Phantom field: carries the input and output types, never set. */
  readonly io?: {input: I; output: O}
}

export type RouteInput<R> = R extends Route<infer I, unknown> ? I : never
export type RouteOutput<R> = R extends Route<unknown, infer O> ? O : never

/** A route's input type: what its schema accepts. */
type InputOf<S extends InputSchema> = v.InferOutput<S>

interface RouteOptions {
  /** The route answers while the store is sealed; without it, a sealed store answers 503 `sealed`. */
  whileSealed?: boolean
  maxBodyBytes?: number
}

const NoInput = v.strictObject({})
type NoInput = InputOf<typeof NoInput>

/** A route whose input type I is its schema's: the compiler refuses a schema that does not give an I. */
function route<I, O>(
  method: Method,
  path: `/v1/${string}`,
  input: InputSchema & v.GenericSchema<I, I>,
  options: RouteOptions = {},
): Route<I, O> {
  return {
    method,
    path,
    input,
    whileSealed: options.whileSealed ?? false,
    ...(options.maxBodyBytes === undefined ? {} : {maxBodyBytes: options.maxBodyBytes}),
  }
}

function streamRoute<I>(
  method: Method,
  path: `/v1/${string}`,
  input: InputSchema & v.GenericSchema<I, I>,
): Route<I, ByteStream> {
  return {method, path, input, whileSealed: false, stream: true}
}

// The field types every schema is made of. A message given here is the whole error line; without
// one the server says `FIELD` must be what the schema expects (never the value received).
const text = v.string()
const optionalText = v.optional(text)
const flag = v.optional(v.boolean())
const texts = v.optional(v.array(text))
/** A value (or passphrase) sealed to the agent's public key, base64. */
const sealed = v.string()
/**
 * An object of text by key, kept as sent: valibot's own record drops keys such as `__proto__` and
 * `constructor`, which are valid env var names (and so valid keys of a bundle).
 */
const textsByKey = (message: string) =>
  v.custom<Record<string, string>>(
    (input) =>
      typeof input === 'object' &&
      input !== null &&
      !Array.isArray(input) &&
      Object.values(input).every((item) => typeof item === 'string'),
    message,
  )
const sealedValues = textsByKey('`values` must be an object of KEY: sealed value (a string).')
const wholeNumber = (name: string, min: number, max: number, unit = '') =>
  v.optional(
    v.pipe(
      v.number(`\`${name}\` must be a whole number${unit} from ${min} to ${max}.`),
      v.integer(`\`${name}\` must be a whole number${unit} from ${min} to ${max}.`),
      v.minValue(min, `\`${name}\` must be a whole number${unit} from ${min} to ${max}.`),
      v.maxValue(max, `\`${name}\` must be a whole number${unit} from ${min} to ${max}.`),
    ),
  )
/** Run options: an object here; each option is checked against the run-options table (api/rules/run-options.ts). */
const runOptions = v.custom<RunOptions>(
  (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
  '`options` must be an object.',
)

/** What a streaming route's handler returns: a readable of frames; destroyed when the client goes away. */
export type ByteStream = import('node:stream').Readable

export const PROTOCOL = 1

export interface Hello {
  name: 'hush'
  version: string
  protocol: number
  pid: number
  /** The agent's X25519 public key (base64): the CLI seals every value to it. */
  publicKey: string
  home: string
  socket: string
  keyring: KeyringMode
  /** The OS keyring entry holding this store's master key (service `hush`), once the store has one. */
  keyringAccount: string | null
  sealed: boolean
  /** Passphrase mode: how this agent got or keeps its key in the kernel keyring (unlock cache). */
  unlockCache: UnlockCacheState
  startedAt: string
}

export type KeyringMode = 'os' | 'passphrase'

/**
 * The unlock cache of a passphrase store (the master key in the Linux kernel keyring):
 * `present` (until `expiresAt`, null = until reboot), `absent`, `invalid` (an entry that does not
 * open this store: ignored, left in place, reported), `unavailable` (no keyctl, or forbidden),
 * `off` (the preference or `--ttl off`), `none` (OS keyring mode: not used).
 */
export interface UnlockCacheState {
  state: 'present' | 'absent' | 'invalid' | 'unavailable' | 'off' | 'none'
  expiresAt: string | null
  /** Why the entry was ignored or the kernel keyring could not be used. */
  problem: string | null
  /** Which kernel keyring holds the entry: `persistent` outlives logout, `user` ends with the user's last process. */
  keyring?: 'persistent' | 'user'
}

/** GET /v1/store: what `doctor` shows of the store (it answers while sealed: names only). */
export interface StoreStatus {
  storeId: string
  /** SQLite's user_version of the store file. */
  schemaVersion: number
  secrets: number
  deployments: number
}

/** GET /v1/engine: the agent's own docker engine (no --context), as its environment reaches it. */
export interface EngineStatus {
  /** The docker context ('default': the agent's DOCKER_HOST, else the local socket); '' when unreadable. */
  context: string
  /** Its endpoint (`unix:///var/run/docker.sock`, `tcp://...`); '' when unreadable. */
  host: string
  tls: boolean
  /** With `reach`: the Docker Engine version when it answers, else null. */
  server: string | null
  /** Why the engine cannot be read (or, with `reach`, does not answer); null when all is well. */
  problem: string | null
}

/** GET /v1/keyring: where the master key comes from, checked now (daemon status, doctor). */
export interface KeyringStatus {
  keyring: KeyringMode
  sealed: boolean
  /** OS keyring mode: does the Secret Service answer now? */
  osKeyring: {reachable: boolean; reason: string | null} | null
  unlockCache: UnlockCacheState
}

/** A value sealed with crypto_box_seal to the agent's public key, base64. */
export type SealedValue = string

export interface SecretInfo {
  name: string
  /** The app this secret is scoped to (only deployments named so see it); null = shared. */
  app: string | null
  keys: string[]
  description: string
  version: number
  createdAt: string
  updatedAt: string
  /** Live (non-terminal) deployments that reference this secret. */
  usedBy: string[]
  deletedAt?: string
}

const CreateSecretInput = v.strictObject({
  name: text,
  /** Scope the secret to deployments named APP (`submit --name APP`); absent = shared. */
  app: optionalText,
  description: optionalText,
  values: sealedValues,
})
export type CreateSecretInput = InputOf<typeof CreateSecretInput>

export interface CreateSecretOutput {
  secret: SecretInfo
  /** True when a live secret of that name was replaced (its version grew). */
  replaced: boolean
  /** Live deployments still running an older version of this secret. */
  staleDeployments: string[]
}

const RotateSecretInput = v.strictObject({
  name: text,
  /** Which secret NAME: the one scoped to APP; absent = the shared one. */
  app: optionalText,
  description: optionalText,
  /** New values by key; may be absent when only the description or key names change. */
  values: v.optional(sealedValues),
  /** Keys to rename, OLD: NEW: each value moves to its new key name (re-encrypted inside the agent). */
  rename: v.optional(textsByKey('`rename` must be an object of OLD: NEW key names.')),
  /** Keys to remove from the bundle (at least one key must remain). */
  remove: texts,
})
export type RotateSecretInput = InputOf<typeof RotateSecretInput>

export interface RotateSecretOutput {
  secret: SecretInfo
  changedKeys: string[]
  addedKeys: string[]
  /** The keys renamed, as given. */
  renamedKeys: Array<{from: string; to: string}>
  removedKeys: string[]
  staleDeployments: string[]
}

/** A live deployment that uses a secret, with the version of it that it runs. */
export interface SecretUser {
  id: string
  name: string | null
  /** The version injected (null: not launched yet). */
  version: number | null
  /** True when it runs an older version than the secret's current one. */
  stale: boolean
}

/** One secret in full (`secrets show`): its metadata and who runs which version. Never a value. */
export interface SecretDetail extends SecretInfo {
  /** The live deployments that use it (the ids of `usedBy`), with their versions. */
  deployments: SecretUser[]
}

const DeleteSecretInput = v.strictObject({
  name: text,
  /** Which secret NAME: the one scoped to APP; absent = the shared one. */
  app: optionalText,
  /** Delete even while live deployments use it. */
  force: flag,
})
export type DeleteSecretInput = InputOf<typeof DeleteSecretInput>

export interface DeleteSecretOutput {
  secret: SecretInfo
  /** Live deployments that still use the values they received (only with force). */
  forcedDeployments: string[]
}

const InitInput = v.strictObject({
  keyring: v.picklist(['os', 'passphrase'] as const satisfies readonly KeyringMode[]),
  /** Passphrase mode: the new passphrase, sealed to the agent's public key like a value. */
  passphrase: v.optional(sealed),
  /** How long the kernel keyring keeps the unlocked key: a duration (`12h`), `boot` or `off` (see api/rules/ttl.ts). */
  ttl: optionalText,
})
export type InitInput = InputOf<typeof InitInput>

export interface InitOutput {
  keyring: KeyringMode
  /** `created`: a new data key; `rewrapped`: the data key kept, wrapped by a new master key; `unchanged`. */
  action: 'created' | 'rewrapped' | 'unchanged'
  sealed: boolean
  /** Passphrase mode: the unlock cache after the call. */
  unlockCache?: UnlockCacheState
}

const UnsealInput = v.strictObject({
  /** The passphrase, sealed to the agent's public key (crypto_box_seal), never plaintext. */
  passphrase: sealed,
  /** How long the kernel keyring keeps the unlocked key (see api/rules/ttl.ts); absent: the preference. */
  ttl: optionalText,
})
export type UnsealInput = InputOf<typeof UnsealInput>

export interface SealState {
  sealed: boolean
  /** False when the store already was in the requested state. */
  changed: boolean
  /** The unlock cache after the call (unseal: written or why not; seal: removed). */
  unlockCache?: UnlockCacheState
}

/** Every kind of audit event (a restored backup's events are checked against it). */
export const AUDIT_EVENT_TYPES = [
  'secret.created',
  'secret.replaced',
  'secret.rotated',
  'secret.deleted',
  'deployment.submitted',
  'deployment.resubmitted',
  'deployment.terminated',
  'store.unsealed',
  'store.sealed',
  'store.initialized',
  'store.rewrapped',
  'store.restored',
  'store.key_rotated',
  'store.passphrase_changed',
] as const

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number]

export interface AuditEvent {
  id: number
  at: string
  event: AuditEventType
  secret: string | null
  /** The app of an app-scoped secret (absent for a shared one and for events without a secret). */
  app?: string
  keys: string[]
  version: number | null
  deployment: string | null
  /** What a store-wide event touched (`store.restored`, `store.key_rotated`): counts by kind. */
  counts?: Record<string, number>
}

/** A whole backup file travels base64 in a JSON body: at most this many bytes of file. */
export const MAX_BACKUP_FILE_BYTES = 128 * 1024 * 1024
const BACKUP_BODY_BYTES = Math.ceil(MAX_BACKUP_FILE_BYTES / 3) * 4 + 64 * 1024

export interface BackupCounts {
  /** Live secrets. */
  secrets: number
  /** Values (KEY=VALUE pairs) of the live secrets. */
  values: number
  /** Deleted secrets (metadata only, with --include-deleted). */
  deleted: number
  /** Audit events (with --include-deleted). */
  audit: number
}

/** What a store (and a backup file's header) keeps to derive its master key again: never the passphrase or the key. */
export interface KdfParams {
  alg: 'argon2id13'
  opslimit: number
  memlimit: number
  /** base64 */
  salt: string
}

/** The header of a backup file: readable without the passphrase, authenticated with it. */
export interface BackupHeader {
  format: number
  hush: string
  createdAt: string
  counts: BackupCounts
  kdf: KdfParams
  cipher: 'xchacha20poly1305-secretstream'
  /** base64 keyed BLAKE2b of a fixed text under the derived key: tells a wrong passphrase from a damaged file. */
  check: string
}

const BackupInput = v.strictObject({
  /** The backup passphrase, sealed to the agent's public key. */
  passphrase: sealed,
  /** Add deleted secrets' metadata and the audit trail. */
  includeDeleted: flag,
})
export type BackupInput = InputOf<typeof BackupInput>

export interface BackupOutput {
  header: BackupHeader
  /** The whole encrypted backup file, base64 (the agent seals it: no value leaves it in plaintext). */
  file: string
}

const VerifyBackupInput = v.strictObject({
  /** The backup file, base64. */
  file: text,
  passphrase: sealed,
})
export type VerifyBackupInput = InputOf<typeof VerifyBackupInput>

export interface VerifyBackupOutput {
  header: BackupHeader
}

export type RestoreMode = 'into-empty' | 'merge'
export type ConflictRule = 'skip' | 'replace' | 'fail'

const RestoreInput = v.strictObject({
  file: text,
  passphrase: sealed,
  mode: v.picklist(['into-empty', 'merge'] as const satisfies readonly RestoreMode[]),
  /** With `merge`: what to do with a live secret of the same name and scope (default fail). */
  onConflict: v.optional(v.picklist(['skip', 'replace', 'fail'] as const satisfies readonly ConflictRule[])),
})
export type RestoreInput = InputOf<typeof RestoreInput>

export interface RestoreOutput {
  header: BackupHeader
  /** Secrets added (new names). */
  added: number
  /** Names (`name` or `name (app APP)`) replaced, and kept as they were (skipped). */
  replaced: string[]
  skipped: string[]
  /** Deleted secrets' metadata and audit events added. */
  deleted: number
  audit: number
}

const RotateKeyInput = v.strictObject({
  /** Passphrase mode: the current passphrase (sealed); the new data key is wrapped under it with a new salt. */
  passphrase: v.optional(sealed),
})
export type RotateKeyInput = InputOf<typeof RotateKeyInput>

export interface RotateKeyOutput {
  keyring: KeyringMode
  secrets: number
  values: number
}

const ChangePassphraseInput = v.strictObject({
  passphrase: sealed,
  newPassphrase: sealed,
})
export type ChangePassphraseInput = InputOf<typeof ChangePassphraseInput>

export interface ChangePassphraseOutput {
  /** The store stays sealed or unsealed as it was. */
  sealed: boolean
}

export type DeploymentState = 'starting' | 'running' | 'exited' | 'failed' | 'terminated'

export const TERMINAL_STATES: readonly DeploymentState[] = ['exited', 'failed', 'terminated']

const SubmitInput = v.strictObject({
  image: text,
  /** Secret references as given: `NAME`, `KEY=NAME` or `KEY=NAME:SRCKEY`, in command-line order. */
  secrets: texts,
  /** Plain env values (visible by design), as `KEY=VALUE`, in command-line order. A value may be a
   * template: `{{NAME:KEY}}` is replaced by that secret value (the resolved value is secret). */
  env: texts,
  /** `--secret-file NAME`: each key of NAME mounted read-only at /run/secrets/KEY. */
  secretFiles: texts,
  name: v.nullish(text),
  command: texts,
  options: v.optional(runOptions),
  /** The docker context whose engine runs it (absent: the agent's own engine). */
  context: v.nullish(text),
  /** `swarm`: a Docker Swarm service on the agent's engine (a manager); absent: a local container. */
  target: v.optional(v.picklist(['local', 'swarm'] as const satisfies readonly DeploymentTarget[])),
  /** false skips the sensitive-key warnings. */
  warn: flag,
})
export type SubmitInput = InputOf<typeof SubmitInput>

export interface SubmitOutput {
  id: string
  /** The container's id; '' for a Swarm service (see serviceId). */
  containerId: string
  /** A Swarm service's id (target swarm only). */
  serviceId?: string
  state: DeploymentState
  image: string
  /** One line per `--env` whose key or value looks sensitive (advisory; the submit went ahead). */
  warnings: string[]
}

/** One current task of a Swarm service (desired state running, or the latest of its slot). */
export interface SwarmTask {
  id: string
  /** The node's hostname ('' while not yet assigned). */
  node: string
  /** docker's task state: new, pending, assigned, preparing, starting, running, rejected, failed, shutdown... */
  state: string
  /** The hush revision the task runs (its hush.revision label). */
  revision: number | null
  error: string | null
}

export interface DeploymentSecret {
  name: string
  /** Present when NAME resolved to the secret scoped to the deployment's app (absent: the shared one). */
  app?: string
  /** The env keys this secret put in the container (an `--env` template's key included), and
   * the paths of its `--secret-file` files (`/run/secrets/KEY`: a path never looks like a key). */
  keys: string[]
  /** The secret's version when injected. */
  version: number
}

/** One deployment, exactly the spec's `status --json` shape. */
export interface DeploymentInfo {
  id: string
  name: string | null
  image: string
  state: DeploymentState
  revision: number
  containerId: string | null
  exitCode: number | null
  stale: boolean
  env: Record<string, string>
  secrets: DeploymentSecret[]
  createdAt: string
  /** `local`: a container; `swarm`: a Docker Swarm service. */
  target: DeploymentTarget
  /** Swarm only: the service id (null until created). */
  serviceId?: string | null
  /** Swarm only: tasks running and tasks wanted. */
  replicas?: {running: number; desired: number}
  /** Swarm only: the current tasks. */
  tasks?: SwarmTask[]
  /** Swarm only: docker's UpdateStatus of the service (state null: never updated). */
  update?: {state: string | null; message: string | null}
}

/** A deployment with what `status ID` shows besides the JSON shape. */
export interface DeploymentDetail extends DeploymentInfo {
  command: string[]
  refs: string[]
  /** `--secret-file` names as given. */
  secretFiles: string[]
  options: RunOptions
  /** The docker context of its engine; null: the agent's own. */
  context: string | null
  updatedAt: string
}

export interface ResubmitOutput extends SubmitOutput {
  revision: number
  previousContainerId: string | null
  /** Swarm only: the service's tasks once the rolling update finished. */
  tasks?: SwarmTask[]
}

/** GET /v1/secrets: `app`: only the secrets scoped to APP; `shared`: only the shared ones. */
const ListSecretsInput = v.strictObject({includeDeleted: flag, app: optionalText, shared: flag})
type ListSecretsInput = InputOf<typeof ListSecretsInput>
/** The live secret NAME of that scope; with includeDeleted, else the latest deleted one. */
const ShowSecretInput = v.strictObject({name: text, app: optionalText, includeDeleted: flag})
type ShowSecretInput = InputOf<typeof ShowSecretInput>
/** `limit`: the latest events, at most this many (default 1000). */
/** `reach`: also ask the engine for its version (doctor, daemon status). */
const EngineStatusInput = v.strictObject({reach: flag})
type EngineStatusInput = InputOf<typeof EngineStatusInput>
const AuditInput = v.strictObject({limit: wholeNumber('limit', 1, 100_000)})
type AuditInput = InputOf<typeof AuditInput>
const DeploymentId = v.strictObject({id: text})
type DeploymentId = InputOf<typeof DeploymentId>
/** `grace`: seconds between SIGTERM and SIGKILL (default 10). */
const TerminateInput = v.strictObject({id: text, grace: wholeNumber('grace', 0, 3600, ' of seconds')})
type TerminateInput = InputOf<typeof TerminateInput>
/** `follow` keeps streaming until the container stops, then an end frame. */
const LogsInput = v.strictObject({id: text, follow: flag})
type LogsInput = InputOf<typeof LogsInput>

export const routes = {
  hello: route<NoInput, Hello>('GET', '/v1/hello', NoInput, {whileSealed: true}),
  shutdown: route<NoInput, {stopping: true}>('POST', '/v1/shutdown', NoInput, {whileSealed: true}),
  init: route<InitInput, InitOutput>('POST', '/v1/init', InitInput, {whileSealed: true}),
  unseal: route<UnsealInput, SealState>('POST', '/v1/unseal', UnsealInput, {whileSealed: true}),
  seal: route<NoInput, SealState>('POST', '/v1/seal', NoInput, {whileSealed: true}),
  keyringStatus: route<NoInput, KeyringStatus>('GET', '/v1/keyring', NoInput, {whileSealed: true}),
  storeStatus: route<NoInput, StoreStatus>('GET', '/v1/store', NoInput, {whileSealed: true}),
  engineStatus: route<EngineStatusInput, EngineStatus>('GET', '/v1/engine', EngineStatusInput, {whileSealed: true}),
  listSecrets: route<ListSecretsInput, SecretInfo[]>('GET', '/v1/secrets', ListSecretsInput),
  createSecret: route<CreateSecretInput, CreateSecretOutput>('POST', '/v1/secrets', CreateSecretInput),
  showSecret: route<ShowSecretInput, SecretDetail>('GET', '/v1/secrets/:name', ShowSecretInput),
  rotateSecret: route<RotateSecretInput, RotateSecretOutput>('POST', '/v1/secrets/:name/rotate', RotateSecretInput),
  deleteSecret: route<DeleteSecretInput, DeleteSecretOutput>('DELETE', '/v1/secrets/:name', DeleteSecretInput),
  audit: route<AuditInput, AuditEvent[]>('GET', '/v1/audit', AuditInput),
  submit: route<SubmitInput, SubmitOutput>('POST', '/v1/deployments', SubmitInput),
  listDeployments: route<NoInput, DeploymentDetail[]>('GET', '/v1/deployments', NoInput),
  getDeployment: route<DeploymentId, DeploymentDetail>('GET', '/v1/deployments/:id', DeploymentId),
  resubmit: route<DeploymentId, ResubmitOutput>('POST', '/v1/deployments/:id/resubmit', DeploymentId),
  terminate: route<TerminateInput, DeploymentDetail>('POST', '/v1/deployments/:id/terminate', TerminateInput),
  /** The container's output, redacted, as frames. */
  logs: streamRoute<LogsInput>('GET', '/v1/deployments/:id/logs', LogsInput),
  /** The agent reads every value and seals the whole file under the backup passphrase. */
  backup: route<BackupInput, BackupOutput>('POST', '/v1/backup', BackupInput),
  verifyBackup: route<VerifyBackupInput, VerifyBackupOutput>('POST', '/v1/backup/verify', VerifyBackupInput, {
    whileSealed: true,
    maxBodyBytes: BACKUP_BODY_BYTES,
  }),
  restore: route<RestoreInput, RestoreOutput>('POST', '/v1/restore', RestoreInput, {maxBodyBytes: BACKUP_BODY_BYTES}),
  /** A new data key, every value re-encrypted in one transaction. */
  rotateKey: route<RotateKeyInput, RotateKeyOutput>('POST', '/v1/init/rotate-key', RotateKeyInput, {
    whileSealed: true,
  }),
  changePassphrase: route<ChangePassphraseInput, ChangePassphraseOutput>(
    'POST',
    '/v1/init/change-passphrase',
    ChangePassphraseInput,
    {whileSealed: true},
  ),
} as const

export type Routes = typeof routes
export type RouteName = keyof Routes
