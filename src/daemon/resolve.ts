// The one place where a deployment's environment is decided: parse `--secret` references,
// check that every name exists (all or nothing), apply bundles in command-line order (a later
// one wins on a shared key), let a plain `--env` win over any secret key, then decrypt.
import {HushError} from '../api/errors.js'
import {checkKey, checkSecretName, MAX_VALUE_BYTES} from '../api/limits.js'
import type {InjectedSecret, SecretRef} from './deployments-store.js'
import type {SecretRow, Store} from './store.js'
import type {Vault} from './vault.js'

/** One variable of the container's environment. `secret` names where a secret value came from. */
export interface EnvEntry {
  key: string
  value: Uint8Array
  secret?: string
}

export interface ResolvedEnv {
  /** The container's whole environment, plain `--env` values included. */
  entries: EnvEntry[]
  /** Per referenced secret: its version and the keys it actually put in the container. */
  injected: InjectedSecret[]
}

const REF = /^(?:([^=:]+)=)?([^=:]+)(?::([^=:]+))?$/

/** Parses `NAME`, `KEY=NAME` or `KEY=NAME:SRCKEY`. */
export function parseSecretRef(text: string): SecretRef {
  const match = typeof text === 'string' ? REF.exec(text) : null
  if (!match || (match[3] !== undefined && match[1] === undefined)) {
    throw new HushError(
      'bad_request',
      `--secret ${JSON.stringify(String(text)).slice(0, 140)} is not NAME, KEY=NAME or KEY=NAME:SRCKEY.`,
    )
  }
  const [, key, name, srcKey] = match
  checkSecretName(name)
  const ref: SecretRef = {name}
  if (key !== undefined) ref.key = checkKey(key)
  if (srcKey !== undefined) ref.srcKey = checkKey(srcKey)
  return ref
}

export function formatSecretRef(ref: SecretRef): string {
  if (ref.key === undefined) return ref.name
  return ref.srcKey === undefined ? `${ref.key}=${ref.name}` : `${ref.key}=${ref.name}:${ref.srcKey}`
}

/** Parses `--env KEY=VALUE` pairs (a value may be empty); a key given twice is an error. */
export function parsePlainEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = typeof pair === 'string' ? pair.indexOf('=') : -1
    if (eq <= 0) {
      throw new HushError('bad_request', `--env ${JSON.stringify(String(pair).split('=')[0])} is not KEY=VALUE.`)
    }
    const key = checkKey(pair.slice(0, eq))
    const value = pair.slice(eq + 1)
    if (Object.hasOwn(env, key)) throw new HushError('duplicate_key', `--env ${key} is given twice: give it once.`)
    if (value.includes('\0') || Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      throw new HushError('invalid_value', `--env ${key}: a value is text without NUL, at most 64 KiB.`)
    }
    env[key] = value
  }
  return env
}

/** Which key of which secret fills an env key. */
export interface Pick<S> {
  secret: S
  srcKey: string
}

/**
 * The precedence rule, in one place: bundles apply in command-line order (a later one wins on a
 * shared key), then every plain `--env` key removes the secret key of that name.
 */
export function decidePicks<S extends {name: string; keys: string[]}>(
  refs: SecretRef[],
  secrets: Map<string, S>,
  plainKeys: string[],
): Map<string, Pick<S>> {
  const picks = new Map<string, Pick<S>>()
  for (const ref of refs) {
    const secret = secrets.get(ref.name)
    if (!secret) continue
    if (ref.key === undefined) {
      for (const key of secret.keys) picks.set(key, {secret, srcKey: key})
    } else {
      picks.set(ref.key, {secret, srcKey: ref.srcKey ?? secret.keys[0]})
    }
  }
  for (const key of plainKeys) picks.delete(key)
  return picks
}

/**
 * Resolves the environment for a deployment named `app` (null: no --name): each NAME is the
 * secret scoped to that app when there is one, else the shared one. Throws `unknown_secret` naming every missing secret (and key) before
 * anything is decrypted. The caller must wipe the returned values (`wipeEnv`).
 */
export function resolveEnv(
  store: Store,
  vault: Vault,
  refs: SecretRef[],
  plain: Record<string, string>,
  app: string | null = null,
): ResolvedEnv {
  const rows = new Map<string, SecretRow>()
  const missing: string[] = []
  const missingKeys: string[] = []
  for (const ref of refs) {
    const row = rows.get(ref.name) ?? store.findVisible(ref.name, app)
    if (!row) {
      if (!missing.includes(ref.name)) missing.push(ref.name)
      continue
    }
    rows.set(ref.name, row)
    if (ref.srcKey !== undefined && !row.keys.includes(ref.srcKey)) missingKeys.push(`${ref.name}:${ref.srcKey}`)
  }
  if (missing.length > 0 || missingKeys.length > 0) {
    const parts = [
      missing.length ? `no secret named ${missing.join(', ')}` : '',
      missingKeys.length ? `no such key ${missingKeys.join(', ')}` : '',
    ].filter(Boolean)
    throw new HushError(
      'unknown_secret',
      `Cannot resolve --secret: ${parts.join('; ')}. Nothing was launched; see \`hush secrets list\`.`,
      {missing, missingKeys},
    )
  }
  for (const ref of refs) {
    const row = rows.get(ref.name)!
    if (ref.key !== undefined && ref.srcKey === undefined && row.keys.length !== 1) {
      throw new HushError(
        'bad_request',
        `--secret ${ref.key}=${ref.name}: secret ${ref.name} has keys ${row.keys.join(', ')}; pick one with --secret ${ref.key}=${ref.name}:SRCKEY.`,
      )
    }
  }

  const picks = decidePicks(refs, rows, Object.keys(plain))

  const entries: EnvEntry[] = []
  try {
    const opened = new Map<string, Map<string, Uint8Array>>()
    for (const [key, pick] of picks) {
      let values = opened.get(pick.secret.name)
      if (!values) {
        values = new Map()
        opened.set(pick.secret.name, values)
        for (const cipher of store.ciphertexts(pick.secret.id)) {
          values.set(cipher.key, vault.decrypt(store.storeId, pick.secret, cipher))
        }
      }
      const value = values.get(pick.srcKey)
      if (!value) {
        throw new HushError('store_corrupt', `Secret ${pick.secret.name} has no stored value for ${pick.srcKey}.`, {
          secret: pick.secret.name,
        })
      }
      entries.push({key, value: Uint8Array.from(value), secret: pick.secret.name})
    }
    for (const values of opened.values()) for (const value of values.values()) vault.wipe(value)
  } catch (error) {
    wipeEnv(vault, entries)
    throw error
  }
  for (const [key, value] of Object.entries(plain)) entries.push({key, value: Buffer.from(value)})

  const injected: InjectedSecret[] = []
  for (const ref of refs) {
    if (injected.some((item) => item.name === ref.name)) continue
    const secret = rows.get(ref.name)!
    const keys = [...picks].filter(([, pick]) => pick.secret.name === ref.name).map(([key]) => key)
    injected.push({name: ref.name, app: secret.app, secretId: secret.id, version: secret.version, keys: keys.sort()})
  }
  return {entries, injected}
}

export function wipeEnv(vault: Vault, entries: EnvEntry[]): void {
  for (const entry of entries) if (entry.secret !== undefined) vault.wipe(entry.value)
}
