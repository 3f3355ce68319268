// Stores made by earlier versions of hush (test/fixtures/stores/vN, each made by the code of the
// commit its ORIGIN names) open with today's code: every secret decrypts to what was stored, every
// deployment record is there, and the schema is brought to the current version exactly once.
// v7-wal is a store hush's former SQLite driver (a native addon) left in WAL mode with its -wal file (the agent killed): node:sqlite replays it.
import {copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {loadSodium} from '../../../../src/crypto/sodium.js'
import {type Database, openDatabase, pragmaValue} from '../../../../src/daemon/process/sqlite.js'
import {DeploymentsStore} from '../../../../src/daemon/store/deployments-table.js'
import {MIGRATIONS, migrate, SCHEMA_VERSION} from '../../../../src/daemon/store/migrations.js'
import {Store} from '../../../../src/daemon/store/secrets-table.js'
import {DataKey} from '../../../../src/daemon/vault/data-key.js'
import type {MasterKeySource} from '../../../../src/daemon/vault/key-sources.js'

const FIXTURES = join(import.meta.dirname, '../../../fixtures', 'stores')
const VERSIONS = readdirSync(FIXTURES, {withFileTypes: true})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

/** What make-store.ts.txt put in every fixture (the app-scoped `db` only where the old code had app scope). */
const VALUES: Record<string, Record<string, string>> = {
  db: {DB_USER: 'admin', DB_PASSWORD: 'hunter2 with spaces'},
  openai: {OPENAI_API_KEY: 'sk-fixture-\u00e9\u4e2d'},
  multi: {PEM: 'line1\nline2\r\n'},
}

/** The OS keyring as the old code left it: the master key saved beside the fixture. */
function fixtureKey(dir: string): MasterKeySource {
  const key = Buffer.from(readFileSync(join(dir, 'master-key.hex'), 'utf8').trim(), 'hex')
  return {
    mode: 'os',
    masterKey: async () => new Uint8Array(key),
    meta: () => ({}),
    forget: async () => {},
  }
}

describe('stores made by earlier versions of hush', () => {
  let work: string
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'hush-migrations-'))
  })
  afterEach(() => rmSync(work, {recursive: true, force: true}))

  it('has a fixture for every schema hush had before it kept a version, one made by the last such code, and one left with its write-ahead log', () => {
    expect(VERSIONS).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7-wal'])
    // Made by the former driver and killed before it closed the store: its rows are in store.db-wal only.
    expect(readdirSync(join(FIXTURES, 'v7-wal'))).toContain('store.db-wal')
  })

  it.each(VERSIONS)(
    '%s: opens at the current schema version with every secret and every deployment',
    async (version) => {
      const fixture = join(FIXTURES, version)
      const file = join(work, 'store.db')
      for (const name of readdirSync(fixture).filter((name) => name.startsWith('store.db'))) {
        copyFileSync(join(fixture, name), join(work, name))
      }
      const store = new Store(file)
      try {
        expect(store.schemaVersion()).toBe(SCHEMA_VERSION)
        const dataKey = new DataKey(await loadSodium(), store, fixtureKey(fixture))
        await dataKey.unlock()

        const live = store.list(false)
        const scoped = live.filter((row) => row.app !== null)
        expect(live.filter((row) => row.app === null).map((row) => row.name)).toEqual(['db', 'multi', 'openai'])
        // The app scope came with v2: from then on the old code wrote an app-scoped `db` too.
        expect(scoped.map((row) => `${row.name}@${row.app}`)).toEqual(version === 'v1' ? [] : ['db@api'])
        for (const row of live) {
          const expected = row.app === 'api' ? {DB_USER: 'api-user'} : VALUES[row.name]
          const found = Object.fromEntries(
            store
              .ciphertexts(row.id)
              .map((cipher) => [cipher.key, Buffer.from(dataKey.decrypt(row, cipher)).toString()]),
          )
          expect(found, `${version} ${row.name}`).toEqual(expected)
          expect(row.keys).toEqual(Object.keys(expected).sort())
        }
        expect(
          store
            .list(true)
            .filter((row) => row.deletedAt)
            .map((row) => row.name),
        ).toEqual(['gone'])
        expect(store.audit(100).filter((event) => event.event === 'secret.created')).toHaveLength(live.length)

        const deployments = new DeploymentsStore(store).list()
        expect(deployments.map((row) => [row.id, row.state, row.env.PLAIN])).toEqual([
          ['d-fixture0', 'running', 'value0'],
          ['d-fixture1', 'exited', 'value1'],
          ['d-fixture2', 'terminated', 'value2'],
        ])
        for (const row of deployments) {
          expect(row.files).toEqual([])
          expect(row.context).toBeNull()
          expect(row.injected).toEqual([
            {
              name: 'db',
              secretId: live.find((s) => s.name === 'db' && s.app === null)?.id,
              version: 1,
              keys: ['DB_PASSWORD', 'DB_USER'],
            },
          ])
        }

        // The migrated store takes today's writes: a new scoped secret, a deployment with files and a context.
        store.transaction(() => store.insertSecret('db', 'web', '', ['K'], '2026-12-01T00:00:00.000Z'))
        const records = new DeploymentsStore(store)
        records.save({...deployments[0], id: 'd-new', files: [{name: 'db', uid: 70}], context: 'remote'})
        expect(records.get('d-new')).toMatchObject({files: [{name: 'db', uid: 70}], context: 'remote'})
      } finally {
        store.close()
      }
      // Opening it again changes nothing: the migrations ran once.
      const again = new Store(file)
      expect(again.schemaVersion()).toBe(SCHEMA_VERSION)
      expect(again.list(false).length).toBeGreaterThan(0)
      again.close()
    },
  )
})

describe('secret-file specs recorded as texts (schema 6)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hush-migrate-files-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('read as parsed specs, in the record and in a kept previous record', () => {
    const file = join(dir, 'store.db')
    const db = openDatabase(file)
    migrate(db, MIGRATIONS.slice(0, 6))
    const texts = ['tls', 'db,uid=999,gid=70,mode=0440,target=/run/secrets/db,env']
    db.prepare(
      `INSERT INTO deployments (id, name, image, command, env, refs, files, options, injected, container_id, state, exit_code, revision, created_at, updated_at)
       VALUES ('d-files', NULL, 'busybox', '[]', '{}', '[]', ?, '{}', '[]', NULL, 'exited', 0, 1, 't', 't')`,
    ).run(JSON.stringify(texts))
    const kept = {row: {id: 'd-files', files: texts}, copies: []}
    db.prepare('INSERT INTO meta (k, v) VALUES (?, ?)').run('deployment_previous:d-files', JSON.stringify(kept))
    db.close()

    const store = new Store(file)
    try {
      const specs = [{name: 'tls'}, {name: 'db', uid: 999, gid: 70, mode: 0o440, target: '/run/secrets/db', env: true}]
      const records = new DeploymentsStore(store)
      expect(records.get('d-files')?.files).toEqual(specs)
      expect(records.previous('d-files')?.row.files).toEqual(specs)
    } finally {
      store.close()
    }
  })
})

describe('migrate', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hush-migrate-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('gives a new store every table at the current version', () => {
    const store = new Store(join(dir, 'new.db'))
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION)
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length)
    store.close()
  })

  it('runs only the migrations a store has not had, and a failing one changes nothing', () => {
    const db = openDatabase(join(dir, 'steps.db'))
    const ran: string[] = []
    const step = (name: string) => ({description: name, up: () => void ran.push(name)})
    migrate(db, [step('a'), step('b')])
    expect(ran).toEqual(['a', 'b'])
    migrate(db, [step('a'), step('b'), {description: 'c', up: (d) => void d.exec('CREATE TABLE c (x)')}])
    expect(ran).toEqual(['a', 'b'])
    expect(pragmaValue(db, 'user_version')).toBe(3)
    const failing = {
      description: 'd',
      up: (d: Database) => {
        d.exec('CREATE TABLE d (x)')
        throw new Error('disk full')
      },
    }
    expect(() => migrate(db, [step('a'), step('b'), step('c'), failing])).toThrow('disk full')
    expect(pragmaValue(db, 'user_version')).toBe(3)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'd'").get()).toBeUndefined()
    db.close()
  })

  it('refuses a store of a newer schema, leaving it as it is', () => {
    const db = openDatabase(join(dir, 'newer.db'))
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`)
    expect(() => migrate(db)).toThrow(
      new RegExp(
        `schema version ${SCHEMA_VERSION + 1}, newer than this hush knows \\(${SCHEMA_VERSION}\\).*upgrade hush`,
      ),
    )
    expect(pragmaValue(db, 'user_version')).toBe(SCHEMA_VERSION + 1)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'secrets'").get()).toBeUndefined()
    db.close()
  })
})
