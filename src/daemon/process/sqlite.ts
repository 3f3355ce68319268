// SQLite, Node's own (node:sqlite): the only module that loads it, so every entry point (the CLI,
// the agent, the bundle, the single executable, the tests) has the one warning it prints on Node 22
// kept out of the user's terminal first; and the transaction helper node:sqlite does not have.
import type * as NodeSqlite from 'node:sqlite'

type Parameters = NodeSqlite.SQLInputValue[] | [Record<string, NodeSqlite.SQLInputValue>, ...NodeSqlite.SQLInputValue[]]

/** A prepared statement (node:sqlite's StatementSync) whose rows the caller types: it knows its own columns. */
export interface Statement {
  run(...parameters: Parameters): NodeSqlite.StatementResultingChanges
  get(...parameters: Parameters): unknown
  all(...parameters: Parameters): unknown[]
  setReturnArrays(enabled: boolean): void
}

/** A connection (node:sqlite's DatabaseSync) whose statements' rows the caller types. */
export type Database = Omit<NodeSqlite.DatabaseSync, 'prepare'> & {prepare(sql: string): Statement}

/** Node 22's warning on loading node:sqlite (Node 24 prints none): the one warning hush keeps from the user. */
export function isSqliteExperimentalWarning(warning: string | Error, type: unknown): boolean {
  const name =
    typeof warning === 'string' ? (typeof type === 'string' ? type : (type as {type?: string})?.type) : warning.name
  const message = typeof warning === 'string' ? warning : warning.message
  return name === 'ExperimentalWarning' && message.startsWith('SQLite is an experimental feature')
}

const QUIET = Symbol.for('hush.quietSqliteWarning')

/**
 * Wraps process.emitWarning so that warning is dropped and every other one goes through unchanged.
 * For the life of the process: Node warns again each time node:sqlite is imported anew.
 */
export function quietSqliteWarning(): void {
  const current = process.emitWarning as typeof process.emitWarning & {[QUIET]?: true}
  if (current[QUIET]) return
  const quiet = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (isSqliteExperimentalWarning(warning, rest[0])) return
    return (current as (...args: unknown[]) => void).call(process, warning, ...rest)
  } as typeof process.emitWarning & {[QUIET]?: true}
  quiet[QUIET] = true
  process.emitWarning = quiet
}

quietSqliteWarning()
// Loaded here, not by an `import` (which the module graph would run before the line above).
const sqlite = process.getBuiltinModule('node:sqlite')

/** Opens the SQLite file `file` (created if missing, unless `readOnly`), waiting up to 5 s for a lock by default. */
export function openDatabase(file: string, options: NodeSqlite.DatabaseSyncOptions = {}): Database {
  return new sqlite.DatabaseSync(file, {timeout: 5000, ...options})
}

/**
 * Runs `fn` in one transaction and returns what it returns: at the outermost level a BEGIN IMMEDIATE
 * (the write lock taken up front) committed when `fn` returns; inside another transaction, a
 * savepoint. `fn` throwing (or the commit failing) rolls back its part and rethrows.
 */
export function transaction<T>(db: Database, fn: () => T): T {
  const nested = db.isTransaction
  db.exec(nested ? 'SAVEPOINT hush' : 'BEGIN IMMEDIATE')
  try {
    const result = fn()
    db.exec(nested ? 'RELEASE hush' : 'COMMIT')
    return result
  } catch (error) {
    if (db.isTransaction) db.exec(nested ? 'ROLLBACK TO hush; RELEASE hush' : 'ROLLBACK')
    throw error
  }
}

/** The value of the pragma `name` (the first column of its first row), e.g. `user_version`. */
export function pragmaValue(db: Database, name: string): unknown {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined
  return row === undefined ? undefined : Object.values(row)[0]
}

/** A BLOB as read (node:sqlite gives a Uint8Array) as a Buffer over the same bytes. */
export function blob(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}
