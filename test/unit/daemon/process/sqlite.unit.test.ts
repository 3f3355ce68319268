// node:sqlite as the store uses it: Node 22's one SQLite warning kept from the user and every other
// warning shown; transaction() commits what returns, rolls back what throws, nests as savepoints;
// SQLite's failures (full, read-only, busy) told apart.
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {readOnlyError, SQLITE_BUSY, sqliteResult} from '../../../../src/api/errors.js'
import {noSpaceError} from '../../../../src/daemon/http/server.js'
import {openDatabase, pragmaValue, transaction} from '../../../../src/daemon/process/sqlite.js'

const MODULE = join(import.meta.dirname, '../../../../src/daemon/process/sqlite.ts')
const SQLITE_WARNING = 'SQLite is an experimental feature and might change at any time'

/** The warnings `emit` makes reach process 'warning' listeners (where Node prints them), as `Type: message`. */
async function warningsSeen(emit: () => void): Promise<string[]> {
  const seen: string[] = []
  const listener = (warning: Error) => seen.push(`${warning.name}: ${warning.message}`)
  // Node's own listener (the one that prints) is set aside meanwhile: the test's output stays clean.
  const printers = process.listeners('warning')
  process.removeAllListeners('warning')
  process.on('warning', listener)
  try {
    emit()
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off('warning', listener)
    for (const printer of printers) process.on('warning', printer)
  }
  return seen
}

describe('the SQLite warning', () => {
  it('is the only warning kept back: others of the same type, or about SQLite, still show', async () => {
    const seen = await warningsSeen(() => {
      process.emitWarning(SQLITE_WARNING, 'ExperimentalWarning')
      process.emitWarning(SQLITE_WARNING, {type: 'ExperimentalWarning'})
      const error = new Error(SQLITE_WARNING)
      error.name = 'ExperimentalWarning'
      process.emitWarning(error)
      process.emitWarning('WASI is an experimental feature and might change at any time', 'ExperimentalWarning')
      process.emitWarning(SQLITE_WARNING, 'DeprecationWarning')
      process.emitWarning(SQLITE_WARNING)
      process.emitWarning('Buffer() is deprecated', {type: 'DeprecationWarning', code: 'DEP0005'})
    })
    expect(seen).toEqual([
      'ExperimentalWarning: WASI is an experimental feature and might change at any time',
      `DeprecationWarning: ${SQLITE_WARNING}`,
      `Warning: ${SQLITE_WARNING}`,
      'DeprecationWarning: Buffer() is deprecated',
    ])
  })

  it('is kept back wherever hush runs: no other source file loads node:sqlite', () => {
    const src = join(import.meta.dirname, '../../../../src')
    const loaders = (readdirSync(src, {recursive: true}) as string[]).filter(
      (file) =>
        /\.tsx?$/.test(file) &&
        /(?<!import type [^\n]*)['"]node:sqlite['"]/.test(readFileSync(join(src, file), 'utf8')),
    )
    expect(loaders).toEqual(['daemon/process/sqlite.ts'])
  })

  it('is not printed when a process loads node:sqlite through the store (and imports it again), while others are', async () => {
    // The module as a plain Node process loads it (its types stripped), on the Node running the tests.
    const script = `
      const {openDatabase} = await import(${JSON.stringify(MODULE)})
      await import('node:sqlite')
      openDatabase(':memory:').exec('SELECT 1')
      process.emitWarning('another experimental feature', 'ExperimentalWarning')`
    const run = await execa(process.execPath, ['--experimental-strip-types', '--input-type=module', '-e', script], {
      reject: false,
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stderr).not.toContain('SQLite')
    expect(run.stderr).toContain('ExperimentalWarning: another experimental feature')
  })
})

describe('transaction', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hush-sqlite-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('commits what returns, rolls back what throws, and undoes only the inner part that threw', () => {
    const db = openDatabase(join(dir, 't.db'))
    db.exec('CREATE TABLE t (x INTEGER)')
    const rows = () => (db.prepare('SELECT x FROM t ORDER BY x').all() as Array<{x: number}>).map((row) => row.x)
    expect(transaction(db, () => db.prepare('INSERT INTO t VALUES (1)').run().changes)).toBe(1)
    expect(() =>
      transaction(db, () => {
        db.exec('INSERT INTO t VALUES (2)')
        throw new Error('refused')
      }),
    ).toThrow('refused')
    transaction(db, () => {
      db.exec('INSERT INTO t VALUES (3)')
      expect(() =>
        transaction(db, () => {
          db.exec('INSERT INTO t VALUES (4)')
          throw new Error('inner')
        }),
      ).toThrow('inner')
      transaction(db, () => db.exec('INSERT INTO t VALUES (5)'))
    })
    expect(db.isTransaction).toBe(false)
    expect(rows()).toEqual([1, 3, 5])
    db.close()
  })

  it("tells SQLite's failures apart as node:sqlite reports them: full, read-only, busy", () => {
    const file = join(dir, 'f.db')
    const db = openDatabase(file)
    db.exec('CREATE TABLE t (x BLOB)')
    const failure = (run: () => void): unknown => {
      try {
        run()
      } catch (error) {
        return error
      }
      throw new Error('no failure')
    }
    db.exec(`PRAGMA max_page_count = ${pragmaValue(db, 'page_count')}`)
    const full = failure(() => db.exec('INSERT INTO t VALUES (randomblob(100000))'))
    expect(noSpaceError(full, dir)?.message).toBe(
      `No space left on the store's disk (${dir}): free some space, then try again. Nothing was changed.`,
    )
    expect(readOnlyError(full, dir)).toBeUndefined()
    const reader = openDatabase(file, {readOnly: true})
    const readOnly = failure(() => reader.exec('INSERT INTO t VALUES (1)'))
    expect(readOnlyError(readOnly, dir)?.code).toBe('read_only')
    expect(noSpaceError(readOnly, dir)).toBeUndefined()
    db.exec('BEGIN EXCLUSIVE')
    const other = openDatabase(file, {timeout: 0})
    expect(sqliteResult(failure(() => other.exec('BEGIN EXCLUSIVE')))).toBe(SQLITE_BUSY)
    expect(sqliteResult(new Error('not SQLite'))).toBeUndefined()
    for (const open of [other, reader, db]) open.close()
  })
})
