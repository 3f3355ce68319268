// Tampering with the store: an edited or swapped ciphertext is reported as store_corrupt naming the
// secret (rotate is the path that decrypts), while the other secrets keep working.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {type Database, openDatabase, transaction} from '../../../src/daemon/process/sqlite.js'
import {errorLine} from '../../support/agent-tools.js'
import {makeHome, type TestHome} from '../../support/helpers.js'

let t: TestHome
beforeEach(async () => {
  t = makeHome()
  const created = await Promise.all(
    [
      ['alpha', 'A=alpha-one', 'B=alpha-two'],
      ['beta', 'A=beta-one'],
      ['gamma', 'A=gamma-one'],
      ['delta', 'A=delta-one'],
      ['eps', 'A=eps-one'],
      ['zeta', 'A=zeta-one'],
    ].map((args) => t.hush(['secrets', 'new', ...args])),
  )
  for (const result of created) expect(result.exitCode, result.stderr).toBe(0)
  // Edit the store only while no agent has it open.
  expect((await t.hush(['daemon', 'stop'])).exitCode).toBe(0)
})
afterEach(async () => {
  await t.cleanup()
})

interface ValueRow {
  secret_id: number
  key: string
  nonce: Uint8Array
  ciphertext: Uint8Array
}

function editStore(edit: (db: Database, row: (name: string, key: string) => ValueRow) => void): void {
  const db = openDatabase(`${t.home}/store.db`)
  try {
    const row = (name: string, key: string) =>
      db
        .prepare(
          'SELECT v.* FROM secret_values v JOIN secrets s ON s.id = v.secret_id WHERE s.name = ? AND s.deleted_at IS NULL AND v.key = ?',
        )
        .get(name, key) as ValueRow
    transaction(db, () => edit(db, row))
  } finally {
    db.close()
  }
}

function setCipher(db: Database, target: ValueRow, from: Pick<ValueRow, 'nonce' | 'ciphertext'>): void {
  db.prepare('UPDATE secret_values SET nonce = ?, ciphertext = ? WHERE secret_id = ? AND key = ?').run(
    from.nonce,
    from.ciphertext,
    target.secret_id,
    target.key,
  )
}

async function expectCorrupt(name: string, key: string): Promise<void> {
  const [human, json] = await Promise.all([
    t.hush(['secrets', 'rotate', name, 'NEW=1']),
    t.hush(['secrets', 'rotate', name, 'NEW=1', '--json']),
  ])
  expect(human.exitCode, human.stderr).toBe(1)
  expect(errorLine(human.stderr)).toBe(
    `hush: Secret ${name} is corrupt in the store (key ${key} fails authentication): set it again with \`hush secrets new ${name} ...\`.`,
  )
  expect(json.exitCode).toBe(1)
  expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'store_corrupt', secret: name, key}})
}

async function expectFine(name: string): Promise<void> {
  const result = await t.hush(['secrets', 'rotate', name, 'NEW=1'])
  expect(result.exitCode, result.stderr).toBe(0)
  expect(result.stdout).toMatch(new RegExp(`^Rotated secret ${name}: version 2, added NEW\\.$`))
}

describe('tamper', () => {
  it('a changed byte, a changed nonce and swapped ciphertexts are store_corrupt; untouched secrets work', async () => {
    editStore((db, row) => {
      // One byte of one ciphertext.
      const beta = row('beta', 'A')
      const ciphertext = Buffer.from(beta.ciphertext)
      ciphertext[3] ^= 0x01
      setCipher(db, beta, {nonce: beta.nonce, ciphertext})
      // One bit of a nonce.
      const gamma = row('gamma', 'A')
      const nonce = Buffer.from(gamma.nonce)
      nonce[0] ^= 0x80
      setCipher(db, gamma, {nonce, ciphertext: gamma.ciphertext})
      // Two secrets' ciphertexts swapped (each stays a valid ciphertext of this store).
      const delta = row('delta', 'A')
      const eps = row('eps', 'A')
      setCipher(db, delta, eps)
      setCipher(db, eps, delta)
      // Two keys of one secret swapped.
      const a = row('alpha', 'A')
      const b = row('alpha', 'B')
      setCipher(db, a, b)
      setCipher(db, b, a)
    })
    await expectCorrupt('beta', 'A')
    await expectCorrupt('gamma', 'A')
    await expectCorrupt('delta', 'A')
    await expectCorrupt('eps', 'A')
    await expectCorrupt('alpha', 'A')
    // The untouched secret still works next to them.
    await expectFine('zeta')

    // The failed rotates changed nothing; replacing the whole bundle repairs a secret.
    expect((await t.hush(['secrets', 'new', 'beta', 'A=fresh'])).exitCode).toBe(0)
    const repaired = await t.hush(['secrets', 'rotate', 'beta', 'NEW=1'])
    expect(repaired.exitCode, repaired.stderr).toBe(0)
    expect(repaired.stdout).toBe('Rotated secret beta: version 3, added NEW.')
    const listed = await t.json<Array<{name: string; version: number}>>(['secrets', 'list'])
    expect(listed.map((secret) => [secret.name, secret.version])).toEqual([
      ['alpha', 1],
      ['beta', 3],
      ['delta', 1],
      ['eps', 1],
      ['gamma', 1],
      ['zeta', 2],
    ])
  })
})
