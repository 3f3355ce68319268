// The store's SQLite connection (node:sqlite, see process/sqlite.ts) in WAL mode with synchronous=FULL, so every
// acknowledged write survives kill -9: opening and migrating it, prepared statements, transactions
// and the group commit, and the store's meta values. What the rows mean is secrets-table.ts's and deployments-table.ts's.
import {HushError} from '../../api/errors.js'
import {blob, type Database, openDatabase, pragmaValue, type Statement, transaction} from '../process/sqlite.js'
import {migrate} from './migrations.js'

interface QueuedWrite {
  fn: () => unknown
  /** The write replaced or removed a ciphertext or a key wrapping (given its result): erase the old bytes before settling. */
  erase: (value: unknown) => boolean
  resolve(value: unknown): void
  reject(error: unknown): void
}

export class StoreConnection {
  readonly db: Database
  private queued: QueuedWrite[] = []
  private readonly statements = new Map<string, Statement>()

  constructor(file: string) {
    this.db = openDatabase(file)
    this.db.exec('PRAGMA journal_mode = WAL')
    this.db.exec('PRAGMA synchronous = FULL')
    // Freed pages are overwritten, so a deleted secret's ciphertext does not linger in the file.
    this.db.exec('PRAGMA secure_delete = ON')
    this.db.exec('PRAGMA foreign_keys = ON')
    this.db.exec('PRAGMA busy_timeout = 5000')
    migrate(this.db)
  }

  close(): void {
    this.db.close()
  }

  /** Called at the end of every transaction, committed or rolled back (a repository drops what it read). */
  protected afterTransaction(): void {}

  /**
   * A prepared statement, prepared once per agent (preparing costs more than running most of them).
   * With `arrays`, it reads each row as an array of its columns instead of an object.
   */
  statement(sql: string, {arrays = false}: {arrays?: boolean} = {}): Statement {
    const key = arrays ? `[]${sql}` : sql
    let statement = this.statements.get(key)
    if (!statement) {
      statement = this.db.prepare(sql)
      if (arrays) statement.setReturnArrays(true)
      this.statements.set(key, statement)
    }
    return statement
  }

  transaction<T>(fn: () => T): T {
    try {
      return transaction(this.db, fn)
    } finally {
      this.afterTransaction()
    }
  }

  /**
   * Group commit: runs `fn` in one transaction with the other writes queued in this turn of the
   * event loop, so they share one fsync. The promise settles only once that transaction committed
   * (an acknowledged write still survives kill -9); `fn` throwing undoes only its own part (each
   * write runs in a savepoint), and a failed commit fails every write of the group. With `erase`,
   * it settles only once the old bytes are gone from the files too (one erase() per group).
   */
  commit<T>(fn: () => T, options: {erase?: boolean | ((value: T) => boolean)} = {}): Promise<T> {
    const {erase = false} = options
    return new Promise<T>((resolve, reject) => {
      this.queued.push({
        fn,
        erase: typeof erase === 'function' ? (value) => erase(value as T) : () => erase,
        resolve: resolve as (value: unknown) => void,
        reject,
      })
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
            outcomes.push({ok: true, value: transaction(this.db, write.fn)})
          } catch (error) {
            outcomes.push({ok: false, error})
          }
        }
      })
    } catch (error) {
      for (const write of group) write.reject(error)
      return
    }
    const erasing = group.filter((_, index) => {
      const outcome = outcomes[index]
      return outcome.ok && group[index].erase(outcome.value)
    })
    if (erasing.length > 0) {
      try {
        this.erase()
      } catch (error) {
        group.forEach((write, index) => {
          if (erasing.includes(write)) outcomes[index] = {ok: false, error}
        })
      }
    }
    group.forEach((write, index) => {
      const outcome = outcomes[index]
      if (outcome.ok) write.resolve(outcome.value)
      else write.reject(outcome.error)
    })
  }

  /**
   * Erases from the store's files what committed writes replaced or removed (an old wrapping of the
   * data key, a deleted or rotated ciphertext): `secure_delete` zeroes freed cells and pages as they
   * are written, and this checkpoint copies the write-ahead log into store.db and truncates the log
   * to zero bytes, so no earlier version of a page is left in store.db or store.db-wal. Call it outside
   * a transaction, after the commit.
   */
  erase(): void {
    const result = this.db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as {busy: number} | undefined
    if (result?.busy) {
      throw new HushError(
        'internal',
        'The change is saved, but the old copy in store.db-wal could not be erased yet (another process has the store open): close it; the next change erases it.',
      )
    }
  }

  /** SQLite's user_version of this file (what `hush doctor` reports). */
  schemaVersion(): number {
    return Number(pragmaValue(this.db, 'user_version'))
  }

  getMeta(key: string): Buffer | string | undefined {
    const row = this.statement('SELECT v FROM meta WHERE k = ?').get(key) as {v: Uint8Array | string} | undefined
    return typeof row?.v === 'object' ? blob(row.v) : row?.v
  }

  setMeta(key: string, value: Buffer | string): void {
    this.statement('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run(key, value)
  }

  deleteMeta(key: string): void {
    this.statement('DELETE FROM meta WHERE k = ?').run(key)
  }
}
