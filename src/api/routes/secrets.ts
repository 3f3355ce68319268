// Secrets: named bundles of keys, written and listed, never read back (no output holds a value).
import * as v from 'valibot'
import {flag, type InputOf, optionalText, route, sealedValues, text, texts, textsByKey} from './route.js'

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

/** GET /v1/secrets: `app`: only the secrets scoped to APP; `shared`: only the shared ones. */
const ListSecretsInput = v.strictObject({includeDeleted: flag, app: optionalText, shared: flag})
type ListSecretsInput = InputOf<typeof ListSecretsInput>
/** The live secret NAME of that scope; with includeDeleted, else the latest deleted one. */
const ShowSecretInput = v.strictObject({name: text, app: optionalText, includeDeleted: flag})
type ShowSecretInput = InputOf<typeof ShowSecretInput>

export const secretRoutes = {
  listSecrets: route<ListSecretsInput, SecretInfo[]>('GET', '/v1/secrets', ListSecretsInput, {refresh: true}),
  createSecret: route<CreateSecretInput, CreateSecretOutput>('POST', '/v1/secrets', CreateSecretInput, {
    refresh: true,
  }),
  showSecret: route<ShowSecretInput, SecretDetail>('GET', '/v1/secrets/:name', ShowSecretInput, {refresh: true}),
  rotateSecret: route<RotateSecretInput, RotateSecretOutput>('POST', '/v1/secrets/:name/rotate', RotateSecretInput, {
    refresh: true,
  }),
  deleteSecret: route<DeleteSecretInput, DeleteSecretOutput>('DELETE', '/v1/secrets/:name', DeleteSecretInput, {
    refresh: true,
  }),
} as const
