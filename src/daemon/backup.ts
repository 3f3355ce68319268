// Backup, verify and restore of a whole store, inside the agent: values are read and sealed into
// the backup file here (crypto/backup-file.ts), and a restore is checked whole, then written in
// one transaction with its audit event. No value leaves the agent in plaintext.
import type {
  AuditEvent,
  BackupCounts,
  BackupOutput,
  ConflictRule,
  RestoreMode,
  RestoreOutput,
  VerifyBackupOutput,
} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {checkAppScope, checkDescription, checkKey, checkSecretName, checkValue} from '../api/limits.js'
import {openBackup, readBackupHeader, sealBackup} from '../crypto/backup-file.js'
import type {Sodium} from '../crypto/sodium.js'
import {VERSION} from '../version.js'
import {scopeLabel} from './secrets.js'
import type {SecretRow, Store} from './store.js'
import type {Vault} from './vault.js'

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
    private readonly vault: Vault,
    private readonly sodium: Sodium,
  ) {}

  /** The whole store (live secrets with values; with `includeDeleted`, deleted metadata and audit) as a sealed file. */
  async backup(passphrase: Uint8Array, includeDeleted: boolean): Promise<BackupOutput> {
    await this.vault.unlock()
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
          values.push(this.vault.decrypt(row, cipher))
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
      const file = sealBackup(
        this.sodium,
        passphrase,
        {meta: encoder.encode(JSON.stringify(meta)), values},
        {hush: VERSION, createdAt: new Date().toISOString(), counts},
      )
      return {header: readBackupHeader(file).header, file: file.toString('base64')}
    } finally {
      for (const value of values) this.vault.wipe(value)
    }
  }

  /** Checks the passphrase and every byte of the file; changes nothing. */
  verify(file: Uint8Array, passphrase: Uint8Array): VerifyBackupOutput {
    const opened = this.open(file, passphrase)
    for (const value of opened.values) this.vault.wipe(value)
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
      await this.vault.unlock()
      return await this.store.commit(() => this.write(opened, mode, onConflict))
    } finally {
      for (const value of opened.values) this.vault.wipe(value)
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
          version: Math.max(existing.version + 1, row.version),
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
        row.keys.map((key, index) => this.vault.encrypt(target, key, values[index])),
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
      return {header, ...checkContent(meta, values)}
    } catch (error) {
      for (const value of values) this.vault.wipe(value)
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

/** Every row and value as this hush would accept them (a file with the right passphrase may still be hand-made). */
function checkContent(metaBytes: Uint8Array, values: Uint8Array[]): Omit<OpenedBackup, 'header'> {
  let meta: BackupMeta
  try {
    meta = JSON.parse(decoder.decode(metaBytes)) as BackupMeta
  } catch {
    throw invalid('its metadata is not JSON')
  }
  if (!meta || !Array.isArray(meta.secrets) || !Array.isArray(meta.deleted) || !Array.isArray(meta.audit)) {
    throw invalid('its metadata lacks secrets, deleted or audit')
  }
  const seen = new Set<string>()
  let next = 0
  const secrets = meta.secrets.map((input) => {
    const row = checkRow(input, false)
    const scope = `${row.app ?? ''}\u0000${row.name}`
    if (seen.has(scope)) throw invalid(`secret ${scopeLabel(row.name, row.app)} appears twice`)
    seen.add(scope)
    const own = values.slice(next, next + row.keys.length)
    next += row.keys.length
    if (own.length !== row.keys.length) throw invalid('fewer values than keys')
    for (const [index, key] of row.keys.entries()) checkValue(key, own[index])
    return {row, values: own}
  })
  if (next !== values.length) throw invalid('more values than keys')
  const deleted = meta.deleted.map((row) => checkRow(row, true))
  const audit = meta.audit.map((event) => {
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.at !== 'string' ||
      typeof event.event !== 'string' ||
      !/^[a-z]+\.[a-z_]+$/.test(event.event) ||
      !Array.isArray(event.keys)
    ) {
      throw invalid('an audit event is malformed')
    }
    return event
  })
  return {secrets, deleted, audit, values}
}

function checkRow(input: BackedUpSecret, deleted: boolean): BackedUpSecret {
  if (typeof input !== 'object' || input === null) throw invalid('a secret is not an object')
  const keys = Array.isArray(input.keys) ? input.keys.map((key) => checkKey(key)) : undefined
  if (
    !keys ||
    keys.length === 0 ||
    new Set(keys).size !== keys.length ||
    !Number.isInteger(input.version) ||
    input.version < 1 ||
    typeof input.createdAt !== 'string' ||
    typeof input.updatedAt !== 'string' ||
    (deleted ? typeof input.deletedAt !== 'string' : input.deletedAt !== null)
  ) {
    throw invalid(`secret ${String(input.name)} is malformed`)
  }
  return {
    name: checkSecretName(input.name),
    app: checkAppScope(input.app),
    description: checkDescription(input.description),
    version: input.version,
    keys,
    createdAt: input.createdAt,
    updatedAt: input.updatedAt,
    deletedAt: input.deletedAt,
  }
}
