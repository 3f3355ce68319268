// The durable store: SQLite (better-sqlite3) in WAL mode with synchronous=FULL, so every
// acknowledged write survives kill -9. It holds metadata and ciphertext only; it never sees a
// plaintext value (see vault.ts for the encryption).
import {randomUUID} from 'node:crypto'
import Database from 'better-sqlite3'
import type {AuditEvent, AuditEventType} from '../api/contract.js'
import {visibleScopes} from '../api/precedence.js'
import {migrate} from './migrations.js'

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

interface QueuedWrite {
  fn: () => unknown
  resolve(value: unknown): void
  reject(error: unknown): void
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

export class Store {
  readonly db: Database.Database
  private queued: QueuedWrite[] = []
  private readonly statements = new Map<string, Database.Statement>()
  /**
   * The secrets as list() last read them, by includeDeleted. Only this agent writes the store (it
   * holds the start lock), so the rows stay true until one of its own writes: every write to
   * `secrets`, and the end of every transaction (a rolled-back one too), drops them.
   */
  private listed = new Map<boolean, readonly SecretRow[]>()

  constructor(file: string) {
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    // Freed pages are overwritten, so a deleted secret's ciphertext does not linger in the file.
    this.db.pragma('secure_delete = ON')
    this.db.pragma('foreign_keys = ON')
    this.db.pragma('busy_timeout = 5000')
    migrate(this.db)
    if (this.getMeta('store_id') === undefined) this.setMeta('store_id', randomUUID())
  }

  close(): void {
    this.db.close()
  }

  /** A prepared statement, prepared once per agent (preparing costs more than running most of them). */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate()
    } finally {
      this.listed.clear()
    }
  }

  /**
   * Group commit: runs `fn` in one transaction with the other writes queued in this turn of the
   * event loop, so they share one fsync. The promise settles only once that transaction committed
   * (an acknowledged write still survives kill -9); `fn` throwing undoes only its own part (each
   * write runs in a savepoint), and a failed commit fails every write of the group.
   */
  commit<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({fn, resolve: resolve as (value: unknown) => void, reject})
      if (this.queued.length === 1) setImmediate(() => this.commitQueued())
    })
  }

  private commitQueued(): void {
    const group = this.queued
    this.queued = []
    const outcomes: Array<{ok: true; value: unknown} | {ok: false; error: unknown}> = []
    try {
      this.transaction(() => {
        for (const write of group) {
          try {
            outcomes.push({ok: true, value: this.db.transaction(write.fn)()})
          } catch (error) {
            outcomes.push({ok: false, error})
          }
        }
      })
    } catch (error) {
      for (const write of group) write.reject(error)
      return
    }
    group.forEach((write, index) => {
      const outcome = outcomes[index]
      if (outcome.ok) write.resolve(outcome.value)
      else write.reject(outcome.error)
    })
  }

  /** SQLite's user_version of this file (what `hush doctor` reports). */
  schemaVersion(): number {
    return Number(this.db.pragma('user_version', {simple: true}))
  }

  get storeId(): string {
    return String(this.getMeta('store_id'))
  }

  getMeta(key: string): Buffer | string | undefined {
    const row = this.statement('SELECT v FROM meta WHERE k = ?').get(key) as {v: Buffer | string} | undefined
    return row?.v
  }

  setMeta(key: string, value: Buffer | string): void {
    this.statement('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run(key, value)
  }

  deleteMeta(key: string): void {
    this.statement('DELETE FROM meta WHERE k = ?').run(key)
  }

  /** The live secret NAME of exactly this scope (`app` null = the shared one). */
  findLive(name: string, app: string | null = null): SecretRow | undefined {
    const tuple = this.statement(
      `SELECT ${SECRET_COLUMNS} FROM secrets WHERE name = ? AND IFNULL(app, '') = ? AND deleted_at IS NULL`,
    )
      .raw(true)
      .get(name, app ?? '') as SecretTuple | undefined
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
      rows = (this.statement(sql).raw(true).all() as SecretTuple[]).map(tupleToSecret)
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
