// The one typed contract between the CLI and the agent: every route with its method, path,
// input and output. Both ends import it, so a changed field breaks the compiler, not a user.
//
// Input travels as path parameters (`:name`), then the query string for GET and DELETE,
// or a JSON body for POST. No output type holds a secret value.

export type Method = 'GET' | 'POST' | 'DELETE'

export interface Route<I, O> {
  readonly method: Method
  readonly path: `/v1/${string}`
  /** Phantom field: carries the input and output types, never set. */
  readonly io?: {input: I; output: O}
}

export type RouteInput<R> = R extends Route<infer I, unknown> ? I : never
export type RouteOutput<R> = R extends Route<unknown, infer O> ? O : never

function route<I, O>(method: Method, path: `/v1/${string}`): Route<I, O> {
  return {method, path}
}

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
  startedAt: string
}

export type KeyringMode = 'os' | 'passphrase'

/** A value sealed with crypto_box_seal to the agent's public key, base64. */
export type SealedValue = string

export interface SecretInfo {
  name: string
  keys: string[]
  description: string
  version: number
  createdAt: string
  updatedAt: string
  /** Live (non-terminal) deployments that reference this secret. */
  usedBy: string[]
  deletedAt?: string
}

export interface CreateSecretInput {
  name: string
  description?: string
  values: Record<string, SealedValue>
}

export interface CreateSecretOutput {
  secret: SecretInfo
  /** True when a live secret of that name was replaced (its version grew). */
  replaced: boolean
  /** Live deployments still running an older version of this secret. */
  staleDeployments: string[]
}

export interface RotateSecretInput {
  name: string
  description?: string
  values: Record<string, SealedValue>
}

export interface RotateSecretOutput {
  secret: SecretInfo
  changedKeys: string[]
  addedKeys: string[]
  staleDeployments: string[]
}

export interface DeleteSecretInput {
  name: string
  force?: string
}

export interface DeleteSecretOutput {
  secret: SecretInfo
  /** Live deployments that still use the values they received (only with force). */
  forcedDeployments: string[]
}

export type AuditEventType =
  | 'secret.created'
  | 'secret.replaced'
  | 'secret.rotated'
  | 'secret.deleted'
  | 'deployment.submitted'
  | 'deployment.resubmitted'
  | 'deployment.terminated'
  | 'store.unsealed'
  | 'store.sealed'

export interface AuditEvent {
  id: number
  at: string
  event: AuditEventType
  secret: string | null
  keys: string[]
  version: number | null
  deployment: string | null
}

export const routes = {
  hello: route<Record<string, never>, Hello>('GET', '/v1/hello'),
  shutdown: route<Record<string, never>, {stopping: true}>('POST', '/v1/shutdown'),
  listSecrets: route<{includeDeleted?: string}, SecretInfo[]>('GET', '/v1/secrets'),
  createSecret: route<CreateSecretInput, CreateSecretOutput>('POST', '/v1/secrets'),
  rotateSecret: route<RotateSecretInput, RotateSecretOutput>('POST', '/v1/secrets/:name/rotate'),
  deleteSecret: route<DeleteSecretInput, DeleteSecretOutput>('DELETE', '/v1/secrets/:name'),
  audit: route<{limit?: string}, AuditEvent[]>('GET', '/v1/audit'),
} as const

export type Routes = typeof routes
export type RouteName = keyof Routes
