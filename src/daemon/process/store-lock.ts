// One agent per store: an exclusive lock on `agent.lock` in the store directory, held for the
// agent's whole life (a kernel lock through SQLite, so a killed agent releases it at once), and
// `agent.owner` saying which agent holds it, whatever runtime directory each agent uses.
import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {HushError, SQLITE_BUSY, sqliteResult} from '../../api/errors.js'
import type {HushPaths} from '../../config/paths.js'
import {storeLockFile, storeOwner, storeOwnerFile} from '../../config/store-owner.js'
import {type Database, openDatabase} from './sqlite.js'

export interface StoreLock {
  release(): void
}

function tryLock(file: string): Database | undefined {
  const db = openDatabase(file)
  try {
    db.exec('PRAGMA busy_timeout = 0')
    db.exec('BEGIN EXCLUSIVE')
    return db
  } catch (error) {
    db.close()
    if (sqliteResult(error) === SQLITE_BUSY) return undefined
    throw error
  }
}

/**
 * Takes the store's lock, waiting up to `waitMs` for an agent that is stopping; then says which
 * agent holds it. The lock goes with the process (or `release`).
 */
export async function lockStore(paths: HushPaths, waitMs: number): Promise<StoreLock> {
  const lock = storeLockFile(paths)
  const owner = storeOwnerFile(paths)
  const deadline = Date.now() + waitMs
  for (;;) {
    const db = tryLock(lock)
    if (db) {
      const next = `${owner}.${process.pid}`
      writeFileSync(next, `${JSON.stringify({pid: process.pid, socket: paths.socket})}\n`, {mode: 0o600})
      renameSync(next, owner)
      return {
        release() {
          if (!db.isOpen) return
          try {
            if (JSON.parse(readFileSync(owner, 'utf8')).pid === process.pid) rmSync(owner, {force: true})
          } catch {
            // already gone
          }
          db.close()
        },
      }
    }
    if (Date.now() >= deadline) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const holder = storeOwner(paths)
  throw new HushError(
    'store_locked',
    holder
      ? `The store ${paths.home} is held by another hush agent (pid ${holder.pid}, socket ${holder.socket}): one agent per store. Use that agent (same XDG_RUNTIME_DIR), or stop it first (kill ${holder.pid}).`
      : `The store ${paths.home} is held by another hush agent: one agent per store. Stop it first.`,
    holder ? {pid: holder.pid, socket: holder.socket} : {},
  )
}
