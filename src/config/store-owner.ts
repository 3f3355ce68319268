// Which agent holds a store: `agent.owner` in the store directory (pid and socket), written by the
// agent that took the store's lock (daemon/process/store-lock.ts), read by commands to find that agent.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {HushPaths} from './paths.js'

export interface StoreOwner {
  pid: number
  socket: string
}

export function storeLockFile(paths: HushPaths): string {
  return join(paths.home, 'agent.lock')
}

export function storeOwnerFile(paths: HushPaths): string {
  return join(paths.home, 'agent.owner')
}

/**
 * Which agent holds the store, as it wrote it, while that process lives; undefined otherwise. A pid
 * that `kill(pid, 0)` may not signal (EPERM) is another user's process, so not this user's agent.
 */
export function storeOwner(paths: HushPaths): StoreOwner | undefined {
  let owner: StoreOwner
  try {
    owner = JSON.parse(readFileSync(storeOwnerFile(paths), 'utf8')) as StoreOwner
  } catch {
    return undefined
  }
  if (typeof owner.pid !== 'number' || typeof owner.socket !== 'string') return undefined
  try {
    process.kill(owner.pid, 0)
    return owner
  } catch {
    return undefined
  }
}
