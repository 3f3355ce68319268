// The secrets repository and the audit log, over the store's connection (connection.ts):
// rows of metadata and ciphertext only; it never sees a plaintext value (see vault/data-key.ts for the
// encryption).
import {randomUUID} from 'node:crypto'
import {statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import type {AuditEvent, AuditEventType} from '../../api/contract.js'
import {visibleScopes} from '../../api/rules/precedence.js'
import {StoreConnection} from './connection.js'

export interface SecretRow {
  id: number
  name: string
  /** The app the secret is scoped to (deployments named so see it); null = shared. */
  app: string | null
  description: string
  version: number
  keys: string[]
  createdAt: string
  updatedAt: string
  deletedAt: string | null
}

export interface CipherRow {
  key: string
  nonce: Uint8Array
  ciphertext: Uint8Array
}

/** The columns of `secrets`, in the order `tupleToSecret` reads them (list reads rows as arrays: half the cost of objects). */
const SECRET_COLUMNS = 'id, name, app, description, version, keys, created_at, updated_at, deleted_at'
type SecretTuple = [number, string, string | null, string, number, string, string, string, string | null]

function tupleToSecret([
  id,
  name,
  app,
  description,
  version,
  keys,
  createdAt,
  updatedAt,
  deletedAt,
]: SecretTuple): SecretRow {
  return {id, name, app, description, version, keys: JSON.parse(keys) as string[], createdAt, updatedAt, deletedAt}
}

export class Store extends StoreConnection {
  /**
   * The secrets as list() last read them, by includeDeleted. Only this agent writes the store (it
   * holds the start lock), so the rows stay true until one of its own writes: every write to
   * `secrets`, and the end of every transaction (a rolled-back one too), drops them.
   */
  private listed = new Map<boolean, readonly SecretRow[]>()

  constructor(file: string) {
    super(file)
    if (this.getMeta('store_id') === undefined) this.setMeta('store_id', randomUUID())
    this.claimPlace(dirname(resolve(file)))
  }

  /**
   * The store's label id (label hush.store of its containers and Swarm objects) must be its own:
   * a copy of the directory (`cp -a`) is another store, though its store id (bound into every
   * ciphertext, the OS keyring account) stays. The directory's path and device:inode are
   * recorded; a store found at another path AND in another directory (a move keeps the inode, a
   * remount the path) is a copy and takes a new label id. The first label id is the store id.
   */
  private claimPlace(dir: string): void {
    const stat = statSync(dir)
    const place = `${stat.dev}:${stat.ino}`
    const recordedPath = this.getMeta('store_path')
    const recordedPlace = this.getMeta('store_place')
    if (recordedPath !== undefined && recordedPlace !== undefined) {
      if (String(recordedPath) === dir && String(recordedPlace) === place) return
      if (String(recordedPath) !== dir && String(recordedPlace) !== place) {
        this.copiedFrom = String(recordedPath)
        this.setMeta('label_id', randomUUID())
      }
    }
    if (this.getMeta('label_id') === undefined) this.setMeta('label_id', this.storeId)
    this.setMeta('store_path', dir)
    this.setMeta('store_place', place)
  }

  /** Where the store was before, when this opening found it to be a copy; else undefined. */
  copiedFrom: string | undefined

  protected override afterTransaction(): void {
    this.listed.clear()
  }

  get storeId(): string {
    return String(this.getMeta('store_id'))
  }

  /** The id in the hush.store label of this store's containers, services and Swarm secrets. */
  get labelId(): string {
    return String(this.getMeta('label_id'))
  }

  /** The live secret NAME of exactly this scope (`app` null = the shared one). */
  findLive(name: string, app: string | null = null): SecretRow | undefined {
    const tuple = this.statement(
      `SELECT ${SECRET_COLUMNS} FROM secrets WHERE name = ? AND IFNULL(app, '') = ? AND deleted_at IS NULL`,
      {arrays: true},
    ).get(name, app ?? '') as SecretTuple | undefined
    return tuple && tupleToSecret(tuple)
  }

  /** What NAME means to a deployment named `app`: its app-scoped secret if any, else the shared one. */
  findVisible(name: string, app: string | null): SecretRow | undefined {
    for (const scope of visibleScopes(app)) {
      const found = this.findLive(name, scope)
      if (found) return found
    }
    return undefined
  }

  /** The apps that have a live secret NAME scoped to them. */
  scopesOf(name: string): string[] {
    return (
      this.statement(
        'SELECT app FROM secrets WHERE name = ? AND app IS NOT NULL AND deleted_at IS NULL ORDER BY app',
      ).all(name) as Array<{app: string}>
    ).map((row) => row.app)
  }

  /** Every live secret (with includeDeleted, deleted ones too), by name then scope. Shared rows: do not change them. */
  list(includeDeleted: boolean): readonly SecretRow[] {
    let rows = this.listed.get(includeDeleted)
    if (!rows) {
      const sql = includeDeleted
        ? `SELECT ${SECRET_COLUMNS} FROM secrets ORDER BY name, IFNULL(app, ''), id`
        : `SELECT ${SECRET_COLUMNS} FROM secrets WHERE deleted_at IS NULL ORDER BY name, IFNULL(app, '')`
      rows = (this.statement(sql, {arrays: true}).all() as SecretTuple[]).map(tupleToSecret)
      this.listed.set(includeDeleted, rows)
    }
    return rows
  }

  insertSecret(name: string, app: string | null, description: string, keys: string[], now: string): SecretRow {
    this.listed.clear()
    const info = this.statement(
      'INSERT INTO secrets (name, app, description, version, keys, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)',
    ).run(name, app, description, JSON.stringify(keys), now, now)
    return {
      id: Number(info.lastInsertRowid),
      name,
      app,
      description,
      version: 1,
      keys,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    }
  }

  updateSecret(row: SecretRow): void {
    this.listed.clear()
    this.statement(
      'UPDATE secrets SET description = ?, version = ?, keys = ?, updated_at = ?, deleted_at = ? WHERE id = ?',
    ).run(row.description, row.version, JSON.stringify(row.keys), row.updatedAt, row.deletedAt, row.id)
  }

  ciphertexts(secretId: number): CipherRow[] {
    return this.statement('SELECT key, nonce, ciphertext FROM secret_values WHERE secret_id = ? ORDER BY key').all(
      secretId,
    ) as CipherRow[]
  }

  /** Replaces every stored value of a secret with `rows`. */
  replaceCiphertexts(secretId: number, rows: CipherRow[]): void {
    this.statement('DELETE FROM secret_values WHERE secret_id = ?').run(secretId)
    const insert = this.statement('INSERT INTO secret_values (secret_id, key, nonce, ciphertext) VALUES (?, ?, ?, ?)')
    for (const row of rows) insert.run(secretId, row.key, row.nonce, row.ciphertext)
  }

  addAudit(event: Omit<AuditEvent, 'id' | 'at'>, at: string): void {
    this.statement(
      'INSERT INTO audit (at, event, secret, app, keys, version, deployment, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      at,
      event.event,
      event.secret,
      event.app ?? null,
      JSON.stringify(event.keys),
      event.version,
      event.deployment,
      event.counts === undefined ? null : JSON.stringify(event.counts),
    )
  }

  /** Inserts a secret row as a backup holds it (version, times, deleted or not); returns its id. */
  insertRestoredSecret(row: Omit<SecretRow, 'id'>): number {
    this.listed.clear()
    const info = this.statement(
      'INSERT INTO secrets (name, app, description, version, keys, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      row.name,
      row.app,
      row.description,
      row.version,
      JSON.stringify(row.keys),
      row.createdAt,
      row.updatedAt,
      row.deletedAt,
    )
    return Number(info.lastInsertRowid)
  }

  audit(limit: number): AuditEvent[] {
    const rows = this.statement('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as Array<{
      id: number
      at: string
      event: AuditEventType
      secret: string | null
      app: string | null
      keys: string
      version: number | null
      deployment: string | null
      counts: string | null
    }>
    return rows.reverse().map(({app, counts, ...row}) => ({
      ...row,
      keys: JSON.parse(row.keys) as string[],
      ...(app === null ? {} : {app}),
      ...(counts === null ? {} : {counts: JSON.parse(counts) as Record<string, number>}),
    }))
  }
}
