// What a command replaced or removed is gone from the store's files when it returns: a copy of
// store.db, store.db-wal and store.db-shm taken right then holds no byte of the old wrapping of the
// data key (after `init --change-passphrase`) or of an old ciphertext (after `secrets delete`,
// `rotate`, a key rename, a replacing create or restore, `terminate`), and does not open with the
// old passphrase.
import {randomBytes} from 'node:crypto'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it, onTestFinished} from 'vitest'
import type {SubmitOutput} from '../../../src/api/contract.js'
import {aeadDecrypt} from '../../../src/crypto/aead.js'
import {deriveMasterKey, parseKdfParams} from '../../../src/crypto/passphrase.js'
import {loadSodium} from '../../../src/crypto/sodium.js'
import {type Database, openDatabase} from '../../../src/daemon/process/sqlite.js'
import {BACKUP_PASSPHRASE} from '../../support/backup-tools.js'
import {dockerAvailable, ensureTestImage, removeDockerStore, TEST_IMAGE} from '../../support/docker.js'
import {BIN, dirForTest, homeForTest, type TestHome} from '../../support/helpers.js'

const OLD = 'the old store passphrase'
const NEW = 'the new store passphrase'
const FILES = ['store.db', 'store.db-wal', 'store.db-shm']
const sodium = await loadSodium()
const docker = await dockerAvailable('test/e2e/secrets/erase.e2e.test.ts')

/** A copy of the store's files as they are now (the agent still running), in a new directory. */
function copyStore(t: TestHome, dir: string, label: string): string {
  const to = join(dir, label)
  mkdirSync(to)
  for (const file of FILES) if (existsSync(join(t.home, file))) copyFileSync(join(t.home, file), join(to, file))
  return to
}

/** The files of a copy that hold `bytes` anywhere. */
function holding(copy: string, bytes: Buffer[]): string[] {
  return FILES.filter((file) => {
    if (!existsSync(join(copy, file))) return false
    const raw = readFileSync(join(copy, file))
    return bytes.some((needle) => raw.includes(needle))
  })
}

/** Reads a copy with SQLite (on a copy of the copy: opening it may change it). `withWal` false: store.db alone. */
function readCopy<T>(copy: string, withWal: boolean, read: (db: Database) => T): T {
  const again = mkdtempSync(join(copy, 'read-'))
  for (const file of withWal ? FILES : ['store.db']) {
    if (existsSync(join(copy, file))) copyFileSync(join(copy, file), join(again, file))
  }
  const db = openDatabase(join(again, 'store.db'))
  try {
    return read(db)
  } finally {
    db.close()
    rmSync(again, {recursive: true, force: true})
  }
}

const meta = (db: Database, k: string) => {
  const {v} = db.prepare('SELECT v FROM meta WHERE k = ?').get(k) as {v: Uint8Array | string}
  return typeof v === 'string' ? v : Buffer.from(v)
}

/** Whether `passphrase` opens the data key of the store a copy holds (as the agent opens it). */
function opensWith(copy: string, withWal: boolean, passphrase: string): boolean {
  return readCopy(copy, withWal, (db) => {
    const wrapped = Buffer.from(meta(db, 'data_key') as Buffer)
    const master = deriveMasterKey(
      sodium,
      new TextEncoder().encode(passphrase),
      parseKdfParams(String(meta(db, 'kdf'))),
    )
    const nonce = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
    const key = aeadDecrypt(
      sodium,
      master,
      {nonce: wrapped.subarray(0, nonce), ciphertext: wrapped.subarray(nonce)},
      `hush/data-key/v1\u0000${String(meta(db, 'store_id'))}`,
    )
    return key !== undefined
  })
}

/** Every stored ciphertext of secret NAME in a copy. */
function ciphertextsOf(copy: string, name: string): Buffer[] {
  return readCopy(copy, true, (db) =>
    (
      db
        .prepare(
          'SELECT v.ciphertext FROM secret_values v JOIN secrets s ON s.id = v.secret_id WHERE s.name = ? AND s.deleted_at IS NULL',
        )
        .all(name) as Array<{ciphertext: Uint8Array}>
    ).map((row) => Buffer.from(row.ciphertext)),
  )
}

/** `hush ARGS` with the current passphrase on descriptor 3 and the new one on standard input. */
async function withFds(t: TestHome, dir: string, args: string[], fd3: string, stdin: string) {
  const file = join(dir, `fd3-${randomBytes(3).toString('hex')}`)
  writeFileSync(file, `${fd3}\n`, {mode: 0o600})
  const command = [process.execPath, BIN, ...args, '--passphrase-fd', '3'].map((w) => `'${w}'`).join(' ')
  const result = await execa('bash', ['-c', `${command} 3< '${file}'`], {env: t.env, input: stdin, reject: false})
  rmSync(file)
  return result
}

const value = (label: string) => `${label}-${randomBytes(96).toString('base64')}`

describe('old state is erased from the files before the command returns', () => {
  it('init --change-passphrase: no byte of the old wrapping is left, and the copy does not open with the old passphrase', async () => {
    const t = homeForTest()
    const dir = dirForTest('hush-erase-')
    await t.ok(['init', '--keyring', 'passphrase'], {input: `${OLD}\n`})
    await t.ok(['secrets', 'new', 'db', `PASSWORD=${value('db')}`])
    const before = copyStore(t, dir, 'before')
    const oldWrapping = readCopy(before, true, (db) => Buffer.from(meta(db, 'data_key') as Buffer))
    expect(opensWith(before, true, OLD)).toBe(true)

    const changed = await withFds(t, dir, ['init', '--change-passphrase'], OLD, NEW)
    expect(changed.exitCode, changed.stderr).toBe(0)
    const after = copyStore(t, dir, 'after')
    // The nonce and the ciphertext of the old wrapping, each searched as raw bytes.
    const nonce = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
    expect(holding(after, [oldWrapping.subarray(0, nonce), oldWrapping.subarray(nonce)])).toEqual([])
    for (const withWal of [true, false]) {
      expect(opensWith(after, withWal, OLD), `old passphrase, with the WAL: ${withWal}`).toBe(false)
      expect(opensWith(after, withWal, NEW), `new passphrase, with the WAL: ${withWal}`).toBe(true)
    }
  }, 120_000)

  it('secrets delete, rotate, a key rename, a replacing create or restore: no byte of an old ciphertext is left', async () => {
    const t = homeForTest()
    const dir = dirForTest('hush-erase-')
    await t.ok(['secrets', 'new', 'gone', `TOKEN=${value('gone')}`, `OTHER=${value('other')}`])
    await t.ok(['secrets', 'new', 'db', `PASSWORD=${value('db')}`, `USER=${value('user')}`])
    const file = join(dir, 'db.backup')
    await t.ok(['backup', file], {input: BACKUP_PASSPHRASE})
    const steps: Array<[string, string[]]> = [
      ['gone', ['secrets', 'delete', 'gone']],
      ['db', ['secrets', 'rotate', 'db', `PASSWORD=${value('db2')}`]],
      ['db', ['secrets', 'rotate', 'db', '--rename', 'USER=LOGIN']],
      ['db', ['secrets', 'new', 'db', `PASSWORD=${value('db3')}`, `USER=${value('user3')}`]],
      ['db', ['restore', file, '--merge', '--on-conflict', 'replace', '--yes']],
    ]
    for (const [index, [name, args]] of steps.entries()) {
      const old = ciphertextsOf(copyStore(t, dir, `before-${index}`), name)
      expect(old.length, args.slice(0, 3).join(' ')).toBe(2)
      await t.ok(args, {input: BACKUP_PASSPHRASE})
      expect.soft(holding(copyStore(t, dir, `after-${index}`), old), args.slice(0, 3).join(' ')).toEqual([])
    }
  }, 120_000)

  it.runIf(docker)(
    "terminate: no byte of the copies kept to redact the deployment's logs is left",
    async () => {
      await ensureTestImage()
      const t = homeForTest()
      onTestFinished(() => removeDockerStore(t))
      const dir = dirForTest('hush-erase-')
      await t.ok(['secrets', 'new', 'db', `PASSWORD=${value('db')}`])
      const submit = await t.ok(['submit', TEST_IMAGE, '--secret', 'db', '--json', '--', 'sleep', '300'])
      const submitted = JSON.parse(submit.stdout) as SubmitOutput
      const copies = readCopy(copyStore(t, dir, 'before'), true, (db) =>
        (
          db.prepare('SELECT ciphertext FROM deployment_values WHERE deployment_id = ?').all(submitted.id) as Array<{
            ciphertext: Uint8Array
          }>
        ).map((row) => Buffer.from(row.ciphertext)),
      )
      expect(copies.length).toBeGreaterThan(0)
      await t.ok(['terminate', submitted.id, '--grace', '0'])
      expect(holding(copyStore(t, dir, 'after'), copies)).toEqual([])
    },
    120_000,
  )
})
