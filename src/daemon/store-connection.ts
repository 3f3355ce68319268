// The store's SQLite connection (better-sqlite3) in WAL mode with synchronous=FULL, so every
// acknowledged write survives kill -9: opening and migrating it, prepared statements, transactions
// and the group commit, and the store's meta values. What the rows mean is store.ts's.
import Database from 'better-sqlite3'
import {migrate} from './migrations.js'

interface QueuedWrite {
  fn: () => unknown
  resolve(value: unknown): void
  reject(error: unknown): void
}

export class StoreConnection {
  readonly db: Database.Database
  private queued: QueuedWrite[] = []
  private readonly statements = new Map<string, Database.Statement>()

  constructor(file: string) {
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    // Freed pages are overwritten, so a deleted secret's ciphertext does not linger in the file.
    this.db.pragma('secure_delete = ON')
    this.db.pragma('foreign_keys = ON')
    this.db.pragma('busy_timeout = 5000')
    migrate(this.db)
  }

  close(): void {
    this.db.close()
  }

  /** Called at the end of every transaction, committed or rolled back (a repository drops what it read). */
  protected afterTransaction(): void {}

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
      this.afterTransaction()
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
}
