// A store for a unit test: a fresh SQLite file in a directory of its own, opened before each test
// (or once for the file) and closed and removed after; and the quiet log and in-memory master key
// that tests whose point is not the keyring or the log hand the daemon's parts.
//
//   const t = storeForTest('vault')          // t.store, t.dir inside a test
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach} from 'vitest'
import type {Logger} from '../../src/daemon/process/log.js'
import {Store} from '../../src/daemon/store/secrets-table.js'
import type {MasterKeySource} from '../../src/daemon/vault/key-sources.js'

/** A log that says nothing. */
export const quiet: Logger = {info: () => undefined, warn: () => undefined, error: () => undefined}

/** A master key held in memory: the keyring is not the test's point. */
export const memoryKey: MasterKeySource = {
  mode: 'os',
  masterKey: async () => new Uint8Array(32).fill(7),
  meta: () => ({}),
  forget: async () => undefined,
}

export interface TestStore {
  /** The store's directory (its HUSH_HOME, for paths). */
  readonly dir: string
  readonly store: Store
}

/**
 * A store named after NAME, new for each test (`each`, the default) or one for the whole file
 * (`all`); closed and removed after it.
 */
export function storeForTest(name: string, scope: 'each' | 'all' = 'each'): TestStore {
  let dir = ''
  let store: Store | undefined
  const open = () => {
    dir = mkdtempSync(join(tmpdir(), `hush-${name}-`))
    store = new Store(join(dir, 'store.db'))
  }
  const close = () => {
    store?.close()
    store = undefined
    rmSync(dir, {recursive: true, force: true})
  }
  if (scope === 'all') {
    beforeAll(open)
    afterAll(close)
  } else {
    beforeEach(open)
    afterEach(close)
  }
  return {
    get dir() {
      return dir
    },
    get store() {
      if (!store) throw new Error('storeForTest: the store is open only inside a test')
      return store
    },
  }
}
