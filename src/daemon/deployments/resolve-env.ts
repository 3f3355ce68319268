// Resolving a deployment's environment in the agent: parse `--secret` references, check that every
// name exists (all or nothing), apply the precedence rule of `api/rules/precedence.ts`, then decrypt.
// Also renders `--env` templates ({{NAME:KEY}}) and reads the `--secret-file` secrets.
import {HushError} from '../../api/errors.js'
import {planKeys} from '../../api/rules/precedence.js'
import type {SecretRef} from '../../api/rules/secret-ref.js'
import {
  formatTemplateRef,
  needsRendering,
  parseTemplate,
  type TemplateRef,
  templateRefs,
} from '../../api/rules/templates.js'
import type {EnvEntry} from '../docker/containers.js'
import type {SecretFileEntry} from '../docker/secret-files.js'
import type {InjectedSecret} from '../store/deployments-table.js'
import type {SecretRow, Store} from '../store/secrets-table.js'
import type {DataKey} from '../vault/data-key.js'

/** A secret value that is not a whole env value (a template's part), kept for redaction. */
export interface RedactedPart {
  label: string
  value: Uint8Array
}

export interface ResolvedEnv {
  /** The container's whole environment, plain `--env` values included (templates rendered). */
  entries: EnvEntry[]
  /** `--secret-file` contents, one per key (a later secret wins on a shared key). */
  files: SecretFileEntry[]
  /** The secret values templates used, to redact them on their own too. */
  parts: RedactedPart[]
  /** Per referenced secret: its version and the keys it actually put in the container. */
  injected: InjectedSecret[]
}

/** Which key of which secret fills an env key. */
export interface KeyPick<S> {
  secret: S
  srcKey: string
}

/**
 * The keys the secrets put in the container, by the one precedence rule (`planKeys`): keys that a
 * plain `--env` overrides are left out.
 */
export function decidePicks<S extends {name: string; keys: string[]}>(
  refs: SecretRef[],
  secrets: Map<string, S>,
  plainKeys: string[],
): Map<string, KeyPick<S>> {
  const picks = new Map<string, KeyPick<S>>()
  for (const planned of planKeys(refs, secrets, plainKeys)) {
    if (!planned.overriddenByEnv) picks.set(planned.key, {secret: planned.secret, srcKey: planned.srcKey})
  }
  return picks
}

/**
 * Resolves the environment and the secret files for a deployment named `app` (null: no --name):
 * each NAME is the secret scoped to that app when there is one, else the shared one. Throws
 * `unknown_secret` naming every missing secret (and key), from `--secret`, templates and
 * `--secret-file` alike, before anything is decrypted. The caller must wipe the returned values
 * (`wipeResolved`). Four steps: find, plan, open, record.
 */
export function resolveEnv(
  store: Store,
  dataKey: DataKey,
  refs: SecretRef[],
  plain: Record<string, string>,
  files: string[] = [],
  app: string | null = null,
): ResolvedEnv {
  const templates = templatesOf(plain)
  const rows = findSecrets(store, wantedRefs(refs, templates, files), app)
  const picks = planPicks(refs, rows, plain)
  const opened = openValues(store, dataKey, {rows, picks, plain, files})
  return {...opened, injected: recordInjected(rows, {refs, picks, templates, files, mounted: opened.files})}
}

/** The `{{NAME:KEY}}` references of each templated `--env` value, by env key. */
function templatesOf(plain: Record<string, string>): Map<string, TemplateRef[]> {
  const templates = new Map<string, TemplateRef[]>()
  for (const [key, value] of Object.entries(plain)) {
    const found = templateRefs(value)
    if (found.length) templates.set(key, found)
  }
  return templates
}

/** Every secret (and key) a deployment names: `--secret`, then templates, then `--secret-file`. */
function wantedRefs(refs: SecretRef[], templates: Map<string, TemplateRef[]>, files: string[]): Wanted[] {
  return [
    ...refs,
    ...[...templates.values()].flat().map((ref) => ({name: ref.name, srcKey: ref.key})),
    ...files.map((name) => ({name})),
  ]
}

interface Wanted {
  name: string
  srcKey?: string
}

/**
 * Find: the secret each wanted name resolves to for `app` (its app's scope beats the shared one),
 * all or nothing: `unknown_secret` lists every missing name and key.
 */
function findSecrets(store: Store, wanted: Wanted[], app: string | null): Map<string, SecretRow> {
  const rows = new Map<string, SecretRow>()
  const missing: string[] = []
  const missingKeys: string[] = []
  for (const ref of wanted) {
    const row = rows.get(ref.name) ?? store.findVisible(ref.name, app)
    if (!row) {
      if (!missing.includes(ref.name)) missing.push(ref.name)
      continue
    }
    rows.set(ref.name, row)
    const missingKey = `${ref.name}:${ref.srcKey}`
    if (ref.srcKey !== undefined && !row.keys.includes(ref.srcKey) && !missingKeys.includes(missingKey))
      missingKeys.push(missingKey)
  }
  if (missing.length > 0 || missingKeys.length > 0) throw unknownSecrets(missing, missingKeys)
  return rows
}

function unknownSecrets(missing: string[], missingKeys: string[]): HushError {
  const parts = [
    missing.length ? `no secret named ${missing.join(', ')}` : '',
    missingKeys.length ? `no such key ${missingKeys.join(', ')}` : '',
  ].filter(Boolean)
  return new HushError(
    'unknown_secret',
    `Cannot resolve the secrets: ${parts.join('; ')}. Nothing was launched; see \`hush secrets list\`.`,
    {missing, missingKeys},
  )
}

/** Plan: which key of which secret fills each env key (`--env` wins); a `KEY=NAME` needs a one-key NAME. */
function planPicks(
  refs: SecretRef[],
  rows: Map<string, SecretRow>,
  plain: Record<string, string>,
): Map<string, KeyPick<SecretRow>> {
  for (const ref of refs) {
    const row = rows.get(ref.name)!
    if (ref.key !== undefined && ref.srcKey === undefined && row.keys.length !== 1) {
      throw new HushError(
        'bad_request',
        `--secret ${ref.key}=${ref.name}: secret ${ref.name} has keys ${row.keys.join(', ')}; pick one with --secret ${ref.key}=${ref.name}:SRCKEY.`,
      )
    }
  }
  return decidePicks(refs, rows, Object.keys(plain))
}

/** The decrypted value of one key of a secret (shared, wiped by the opener: copy it to keep it). */
type OpenValue = (secret: SecretRow, srcKey: string) => Uint8Array

/** Decrypts each secret's values once, on first use; `wipe` wipes every value it decrypted. */
function opener(store: Store, dataKey: DataKey): {value: OpenValue; wipe: () => void} {
  const opened = new Map<string, Map<string, Uint8Array>>()
  const value: OpenValue = (secret, srcKey) => {
    let values = opened.get(secret.name)
    if (!values) {
      values = new Map()
      opened.set(secret.name, values)
      for (const cipher of store.ciphertexts(secret.id)) values.set(cipher.key, dataKey.decrypt(secret, cipher))
    }
    const found = values.get(srcKey)
    if (!found) {
      throw new HushError('store_corrupt', `Secret ${secret.name} has no stored value for ${srcKey}.`, {
        secret: secret.name,
      })
    }
    return found
  }
  const wipe = () => {
    for (const values of opened.values()) for (const found of values.values()) dataKey.wipe(found)
  }
  return {value, wipe}
}

/**
 * Open: the container's env (picked keys, then the plain and rendered `--env` values), the files
 * and the template parts, as copies; on a failure every copy made is wiped before the error.
 */
function openValues(
  store: Store,
  dataKey: DataKey,
  plan: {
    rows: Map<string, SecretRow>
    picks: Map<string, KeyPick<SecretRow>>
    plain: Record<string, string>
    files: string[]
  },
): Omit<ResolvedEnv, 'injected'> {
  const open = opener(store, dataKey)
  const entries: EnvEntry[] = []
  const files = new Map<string, SecretFileEntry>()
  const parts = new Map<string, RedactedPart>()
  try {
    for (const [key, pick] of plan.picks) {
      entries.push({key, value: Uint8Array.from(open.value(pick.secret, pick.srcKey)), secret: pick.secret.name})
    }
    for (const [key, value] of Object.entries(plan.plain))
      entries.push(renderEnv(key, value, plan.rows, open.value, parts))
    for (const name of plan.files) {
      const row = plan.rows.get(name)!
      for (const key of row.keys) files.set(key, {key, value: Uint8Array.from(open.value(row, key)), secret: name})
    }
  } catch (error) {
    wipeResolved(dataKey, {entries, files: [...files.values()], parts: [...parts.values()]})
    throw error
  } finally {
    open.wipe()
  }
  return {entries, files: [...files.values()], parts: [...parts.values()]}
}

/** One plain `--env` value, its template rendered; each secret part used is also kept in `parts`. */
function renderEnv(
  key: string,
  value: string,
  rows: Map<string, SecretRow>,
  open: OpenValue,
  parts: Map<string, RedactedPart>,
): EnvEntry {
  if (!needsRendering(value)) return {key, value: Buffer.from(value)}
  const pieces: Uint8Array[] = []
  let secret: string | undefined
  for (const part of parseTemplate(value)) {
    if (typeof part === 'string') {
      pieces.push(Buffer.from(part))
      continue
    }
    const used = open(rows.get(part.name)!, part.key)
    pieces.push(used)
    secret ??= part.name
    const label = `template:${formatTemplateRef(part)}`
    if (!parts.has(label)) parts.set(label, {label, value: Uint8Array.from(used)})
  }
  return {key, value: Buffer.concat(pieces), ...(secret === undefined ? {} : {secret})}
}

/**
 * Record: per secret, the version it was and the env keys (or file names) it put in the
 * container: `--secret` secrets first, then templates' (their env keys are the templated ones),
 * then `--secret-file` secrets.
 */
function recordInjected(
  rows: Map<string, SecretRow>,
  used: {
    refs: SecretRef[]
    picks: Map<string, KeyPick<SecretRow>>
    templates: Map<string, TemplateRef[]>
    files: string[]
    mounted: SecretFileEntry[]
  },
): InjectedSecret[] {
  const injected: InjectedSecret[] = []
  const record = (name: string, keys: string[]): InjectedSecret => {
    const secret = rows.get(name)!
    return {name, app: secret.app, secretId: secret.id, version: secret.version, keys}
  }
  for (const ref of used.refs) {
    if (injected.some((item) => item.name === ref.name)) continue
    const keys = [...used.picks].filter(([, pick]) => pick.secret.name === ref.name).map(([key]) => key)
    injected.push(record(ref.name, keys.sort()))
  }
  for (const [key, refs] of used.templates) {
    for (const {name} of refs) {
      const item = injected.find((found) => found.name === name && found.mount === undefined)
      if (!item) injected.push(record(name, [key]))
      else if (!item.keys.includes(key)) item.keys = [...item.keys, key].sort()
    }
  }
  for (const name of used.files) {
    const keys = used.mounted.filter((file) => file.secret === name).map((file) => file.key)
    injected.push({...record(name, keys.sort()), mount: 'file'})
  }
  return injected
}

/** Wipes every secret value of a resolution (env entries, files, template parts). */
export function wipeResolved(dataKey: DataKey, resolved: Omit<ResolvedEnv, 'injected'> & {injected?: unknown}): void {
  wipeEnv(dataKey, resolved.entries)
  for (const file of resolved.files) dataKey.wipe(file.value)
  for (const part of resolved.parts) dataKey.wipe(part.value)
}

export function wipeEnv(dataKey: DataKey, entries: EnvEntry[]): void {
  for (const entry of entries) if (entry.secret !== undefined) dataKey.wipe(entry.value)
}
