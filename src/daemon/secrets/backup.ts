// Backup, verify and restore of a whole store, inside the agent: values are read and encrypted into
// the backup file here (crypto/backup-file.ts), and a restore is checked whole, then written in
// one transaction with its audit event. No value leaves the agent in plaintext.
import {
  AUDIT_EVENT_TYPES,
  type AuditEvent,
  type AuditEventType,
  type BackupCounts,
  type BackupOutput,
  type ConflictRule,
  type RestoreMode,
  type RestoreOutput,
  type VerifyBackupOutput,
} from '../../api/contract.js'
import {HushError, quoted} from '../../api/errors.js'
import {
  checkAppName,
  checkCount,
  checkDeploymentId,
  checkDescription,
  checkKey,
  checkSecretName,
  checkTimestamp,
  checkValue,
  checkVersion,
  nextVersion,
  SECRET_NAME,
} from '../../api/limits.js'
import {isSecretFilePath} from '../../api/rules/secret-file-spec.js'
import {encryptBackup, openBackup, readBackupHeader} from '../../crypto/backup-file.js'
import type {Sodium} from '../../crypto/sodium.js'
import {VERSION} from '../../version.js'
import type {SecretRow, Store} from '../store/secrets-table.js'
import type {DataKey} from '../vault/data-key.js'
import {scopeLabel} from './service.js'

/** A secret as the backup's metadata holds it: its values follow in `keys` order. */
type BackedUpSecret = Omit<SecretRow, 'id'>

/** The backup's metadata chunk (JSON): never a value. */
interface BackupMeta {
  secrets: BackedUpSecret[]
  deleted: BackedUpSecret[]
  audit: Array<Omit<AuditEvent, 'id'>>
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', {fatal: true})

function withoutId({id: _id, ...row}: SecretRow): BackedUpSecret {
  return row
}

export class BackupService {
  constructor(
    private readonly store: Store,
    private readonly dataKey: DataKey,
    private readonly sodium: Sodium,
  ) {}

  /** The whole store (live secrets with values; with `includeDeleted`, deleted metadata and audit) as an encrypted file. */
  async backup(passphrase: Uint8Array, includeDeleted: boolean): Promise<BackupOutput> {
    await this.dataKey.unlock()
    const values: Uint8Array[] = []
    try {
      // One synchronous read: no write of this agent can come between two rows.
      const live = this.store.list(false)
      for (const row of live) {
        const byKey = new Map(this.store.ciphertexts(row.id).map((cipher) => [cipher.key, cipher]))
        for (const key of row.keys) {
          const cipher = byKey.get(key)
          if (!cipher) {
            throw new HushError(
              'store_corrupt',
              `Secret ${row.name} is corrupt in the store (key ${key} has no value): set it again, then back up.`,
              {secret: row.name, key},
            )
          }
          values.push(this.dataKey.decrypt(row, cipher))
        }
      }
      const meta: BackupMeta = {
        secrets: live.map(withoutId),
        deleted: includeDeleted
          ? this.store
              .list(true)
              .filter((row) => row.deletedAt !== null)
              .map(withoutId)
          : [],
        audit: includeDeleted ? this.store.audit(-1).map(({id: _id, ...event}) => event) : [],
      }
      const counts: BackupCounts = {
        secrets: meta.secrets.length,
        values: values.length,
        deleted: meta.deleted.length,
        audit: meta.audit.length,
      }
      const file = encryptBackup(
        this.sodium,
        passphrase,
        {meta: encoder.encode(JSON.stringify(meta)), values},
        {hush: VERSION, createdAt: new Date().toISOString(), counts},
      )
      return {header: readBackupHeader(file).header, file: file.toString('base64')}
    } finally {
      for (const value of values) this.dataKey.wipe(value)
    }
  }

  /** Checks the passphrase and every byte of the file; changes nothing. */
  verify(file: Uint8Array, passphrase: Uint8Array): VerifyBackupOutput {
    const opened = this.open(file, passphrase)
    for (const value of opened.values) this.dataKey.wipe(value)
    return {header: opened.header}
  }

  /**
   * Restores a backup into this store, all or nothing: the file is opened and checked whole first,
   * then every row is written in one transaction with `store.restored`. Versions continue: a
   * restored secret keeps its version; one that replaces a live secret gets the larger of the two + 1.
   */
  async restore(
    file: Uint8Array,
    passphrase: Uint8Array,
    mode: RestoreMode,
    onConflict: ConflictRule,
  ): Promise<RestoreOutput> {
    const opened = this.open(file, passphrase)
    try {
      await this.dataKey.unlock()
      // A replaced secret's old ciphertexts are erased from the files before the answer.
      return await this.store.commit(() => this.write(opened, mode, onConflict), {
        erase: (done) => done.replaced.length > 0,
      })
    } finally {
      for (const value of opened.values) this.dataKey.wipe(value)
    }
  }

  private write(opened: OpenedBackup, mode: RestoreMode, onConflict: ConflictRule): RestoreOutput {
    const live = this.store.list(false)
    if (mode === 'into-empty' && live.length > 0) {
      throw new HushError(
        'store_not_empty',
        `This store has ${live.length} live secret${live.length > 1 ? 's' : ''}: restore into an empty store (a new HUSH_HOME), or pass --merge with --on-conflict skip|replace|fail.`,
      )
    }
    const scope = (row: {name: string; app: string | null}) => `${row.app ?? ''}\u0000${row.name}`
    const here = new Map(live.map((row) => [scope(row), row]))
    const conflicts = opened.secrets.filter(({row}) => here.has(scope(row)))
    const names = conflicts.map(({row}) => scopeLabel(row.name, row.app))
    if (conflicts.length > 0 && onConflict === 'fail') {
      throw new HushError(
        'restore_conflict',
        `${names.length} secret${names.length > 1 ? 's' : ''} of the backup already exist here: ${names.join(', ')}; pass --on-conflict skip or --on-conflict replace.`,
        {conflicts: names},
      )
    }
    const at = new Date().toISOString()
    const replaced: string[] = []
    const skipped: string[] = []
    let added = 0
    for (const {row, values} of opened.secrets) {
      const existing = here.get(scope(row))
      let target: SecretRow
      if (existing) {
        if (onConflict === 'skip') {
          skipped.push(scopeLabel(row.name, row.app))
          continue
        }
        target = {
          ...existing,
          description: row.description,
          keys: row.keys,
          version: Math.max(nextVersion(existing.version), row.version),
          updatedAt: at,
        }
        this.store.updateSecret(target)
        replaced.push(scopeLabel(row.name, row.app))
      } else {
        target = {id: this.store.insertRestoredSecret(row), ...row}
        added++
      }
      this.store.replaceCiphertexts(
        target.id,
        row.keys.map((key, index) => this.dataKey.encrypt(target, key, values[index])),
      )
    }
    // History already here (a backup merged twice, or into its own store) is not added again.
    const history = (row: BackedUpSecret) => JSON.stringify([row.name, row.app, row.version, row.deletedAt])
    const deletedHere = new Set(
      this.store
        .list(true)
        .filter((row) => row.deletedAt)
        .map(history),
    )
    const deleted = opened.deleted.filter((row) => !deletedHere.has(history(row)))
    for (const row of deleted) this.store.insertRestoredSecret(row)
    const event = (e: Omit<AuditEvent, 'id'>) =>
      JSON.stringify([e.at, e.event, e.secret, e.app, e.version, e.deployment])
    const eventsHere = new Set(this.store.audit(-1).map(event))
    const audit = opened.audit.filter((e) => !eventsHere.has(event(e)))
    for (const {at: when, ...e} of audit) this.store.addAudit(e, when)
    const counts = {
      added,
      replaced: replaced.length,
      skipped: skipped.length,
      deleted: deleted.length,
      audit: audit.length,
    }
    this.store.addAudit({event: 'store.restored', secret: null, keys: [], version: null, deployment: null, counts}, at)
    return {header: opened.header, added, replaced, skipped, deleted: counts.deleted, audit: counts.audit}
  }

  /** Opens the file and checks its content whole; the caller wipes the values. */
  private open(file: Uint8Array, passphrase: Uint8Array): OpenedBackup {
    const {header, meta, values} = openBackup(this.sodium, file, passphrase)
    try {
      return {header, ...checkContent(meta, values, header.counts, Date.now())}
    } catch (error) {
      for (const value of values) this.dataKey.wipe(value)
      throw error
    }
  }
}

interface OpenedBackup {
  header: VerifyBackupOutput['header']
  secrets: Array<{row: BackedUpSecret; values: Uint8Array[]}>
  deleted: BackedUpSecret[]
  audit: Array<Omit<AuditEvent, 'id'>>
  values: Uint8Array[]
}

function invalid(detail: string): HushError {
  return new HushError(
    'backup_damaged',
    `The backup's content is not valid (${detail}): nothing was changed; it was not written by hush, or by a broken one.`,
  )
}

/** Runs a live rule on one field of a row; its refusal names the row and field (`secrets[3] "db" version: ...`). */
function field<T>(where: string, name: string, check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof HushError) throw invalid(`${where} ${name}: ${error.message.replace(/\.$/, '')}`)
    throw error
  }
}

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
}

/** A row is an object with exactly these fields (`optional` may be absent): nothing unknown is kept or dropped. */
function checkFields(input: unknown, where: string, fields: readonly string[], optional: readonly string[] = []) {
  if (!isObject(input)) throw invalid(`${where} is not an object`)
  for (const key of Object.keys(input)) {
    if (!fields.includes(key)) throw invalid(`${where} has an unknown field ${quoted(key, 40)}`)
  }
  for (const key of fields) {
    if (!optional.includes(key) && !Object.hasOwn(input, key)) throw invalid(`${where} has no ${key}`)
  }
  return input
}

const SECRET_FIELDS = ['name', 'app', 'description', 'version', 'keys', 'createdAt', 'updatedAt', 'deletedAt'] as const
const AUDIT_FIELDS = ['at', 'event', 'secret', 'app', 'keys', 'version', 'deployment', 'counts'] as const

/** Every row and value as this hush would accept them (a file with the right passphrase may still be hand-made). */
function checkContent(
  metaBytes: Uint8Array,
  values: Uint8Array[],
  counts: BackupCounts,
  now: number,
): Omit<OpenedBackup, 'header'> {
  let parsed: unknown
  try {
    parsed = JSON.parse(decoder.decode(metaBytes))
  } catch {
    throw invalid('its metadata is not JSON')
  }
  const meta = checkFields(parsed, 'its metadata', ['secrets', 'deleted', 'audit'])
  if (!Array.isArray(meta.secrets) || !Array.isArray(meta.deleted) || !Array.isArray(meta.audit)) {
    throw invalid('its metadata lacks secrets, deleted or audit')
  }
  const seen = new Set<string>()
  let next = 0
  const secrets = meta.secrets.map((input: unknown, index) => {
    const where = `secrets[${index}]`
    const row = checkRow(input, where, false, now)
    const scope = `${row.app ?? ''}\u0000${row.name}`
    if (seen.has(scope)) throw invalid(`secret ${quoted(scopeLabel(row.name, row.app))} appears twice`)
    seen.add(scope)
    const own = values.slice(next, next + row.keys.length)
    next += row.keys.length
    if (own.length !== row.keys.length) throw invalid('fewer values than keys')
    for (const [at, key] of row.keys.entries())
      field(named(where, row.name, secretName), `value of ${key}`, () => checkValue(key, own[at]))
    return {row, values: own}
  })
  if (next !== values.length) throw invalid('more values than keys')
  const deleted = meta.deleted.map((row: unknown, index) => checkRow(row, `deleted[${index}]`, true, now))
  const audit = meta.audit.map((event: unknown, index) => checkAuditRow(event, `audit[${index}]`, now))
  const found: BackupCounts = {
    secrets: secrets.length,
    values: values.length,
    deleted: deleted.length,
    audit: audit.length,
  }
  for (const kind of ['secrets', 'values', 'deleted', 'audit'] as const) {
    if (counts[kind] !== found[kind]) {
      throw invalid(`its header counts ${counts[kind]} ${kind}, its content ${found[kind]}`)
    }
  }
  return {secrets, deleted, audit, values}
}

/** `secrets[3] "db"`: where a row is, and its name when it has a readable one. */
function named(where: string, name: unknown, valid: (name: string) => boolean): string {
  return typeof name === 'string' && valid(name) ? `${where} ${quoted(name, 60)}` : where
}

/** A row's secret name, shown only when it passes the name rule (text that fails it is never repeated). */
const secretName = (name: string) => SECRET_NAME.test(name)
const eventKind = (event: string) => (AUDIT_EVENT_TYPES as readonly string[]).includes(event)

function checkKeys(keys: unknown, check: (key: unknown) => string): string[] {
  if (!Array.isArray(keys)) throw new HushError('bad_request', 'Keys are a list of key names.')
  const checked = keys.map(check)
  if (new Set(checked).size !== checked.length) throw new HushError('bad_request', 'A key is listed twice.')
  return checked
}

function checkRow(input: unknown, at: string, deleted: boolean, now: number): BackedUpSecret {
  const row = checkFields(input, at, SECRET_FIELDS)
  const where = named(at, row.name, secretName)
  const keys = field(where, 'keys', () => checkKeys(row.keys, checkKey))
  if (keys.length === 0) throw invalid(`${where} keys: a secret has at least one key`)
  const description = row.description
  return {
    name: field(where, 'name', () => checkSecretName(row.name)),
    app: field(where, 'app', () => (row.app === null ? null : checkAppName(row.app))),
    description: field(where, 'description', () => {
      if (typeof description !== 'string') throw new HushError('bad_request', 'A description is text.')
      return checkDescription(description)
    }),
    version: field(where, 'version', () => checkVersion(row.version)),
    keys,
    createdAt: field(where, 'createdAt', () => checkTimestamp(row.createdAt, now)),
    updatedAt: field(where, 'updatedAt', () => checkTimestamp(row.updatedAt, now)),
    deletedAt: field(where, 'deletedAt', () => {
      if (!deleted) {
        if (row.deletedAt !== null) throw new HushError('bad_request', 'A live secret has deletedAt null.')
        return null
      }
      return checkTimestamp(row.deletedAt, now)
    }),
  }
}

/** An audit event as the agent writes them: a known kind, with the secret, version and deployment it names. */
function checkAuditRow(input: unknown, at: string, now: number): Omit<AuditEvent, 'id'> {
  const row = checkFields(input, at, AUDIT_FIELDS, ['app', 'counts'])
  const where = named(at, row.event, eventKind)
  const event = field(where, 'event', () => {
    if (typeof row.event !== 'string' || !eventKind(row.event)) {
      throw new HushError('bad_request', `Unknown event ${quoted(row.event, 60)}: not one that hush records.`)
    }
    return row.event as AuditEventType
  })
  const kind = event.slice(0, event.indexOf('.'))
  const secret = field(where, 'secret', () => {
    if (row.secret === null && kind !== 'secret') return null
    if (kind === 'store') throw new HushError('bad_request', 'A store event names no secret.')
    return checkSecretName(row.secret)
  })
  const app = field(where, 'app', () => {
    if (row.app === undefined) return undefined
    if (secret === null) throw new HushError('bad_request', 'An event without a secret has no app.')
    return checkAppName(row.app)
  })
  const version = field(where, 'version', () => {
    if (row.version === null && secret === null) return null
    if (secret === null) throw new HushError('bad_request', 'An event without a secret has no version.')
    return checkVersion(row.version)
  })
  const deployment = field(where, 'deployment', () => {
    if (row.deployment === null && kind !== 'deployment') return null
    if (kind !== 'deployment') throw new HushError('bad_request', `A ${kind} event names no deployment.`)
    return checkDeploymentId(row.deployment)
  })
  const keys = field(where, 'keys', () =>
    checkKeys(row.keys, (key) => (typeof key === 'string' && isSecretFilePath(key) ? key : checkKey(key))),
  )
  const counts = field(where, 'counts', () => {
    if (row.counts === undefined) return undefined
    if (kind !== 'store' || !isObject(row.counts))
      throw new HushError('bad_request', 'Counts go with store events, by kind.')
    const entries = Object.entries(row.counts)
    if (entries.length > 16 || entries.some(([name]) => !/^[a-z_]{1,32}$/.test(name))) {
      throw new HushError('bad_request', 'Counts are at most 16, each named by a word.')
    }
    return Object.fromEntries(entries.map(([name, count]) => [name, checkCount(count)]))
  })
  return {
    at: field(where, 'at', () => checkTimestamp(row.at, now)),
    event,
    secret,
    ...(app === undefined ? {} : {app}),
    keys,
    version,
    deployment,
    ...(counts === undefined ? {} : {counts}),
  }
}
