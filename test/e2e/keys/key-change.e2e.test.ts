// Changing the passphrase and rotating the data key as a user does it (`hush init
// --change-passphrase`, `hush init --rotate-key`), with the real agent and keyring, across a switch
// between the OS keyring and passphrase mode; values are checked through a backup opened here.
import {randomBytes} from 'node:crypto'
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import type {AuditEvent, Hello} from '../../../src/api/contract.js'
import {openDatabase} from '../../../src/daemon/process/sqlite.js'
import {storeValues} from '../../support/backup-tools.js'
import {BIN, dirForTest, homeForTest, onTerminal, type TestHome} from '../../support/helpers.js'

const OLD = 'the old store passphrase'
const NEW = 'the new store passphrase'

/** The stored wrapping of the data key and every ciphertext, read from the store file. */
function storedKeys(t: TestHome): {wrapped: string; ciphertexts: string[]} {
  const db = openDatabase(join(t.home, 'store.db'), {readOnly: true})
  try {
    const wrapped = Buffer.from(
      (db.prepare("SELECT v FROM meta WHERE k = 'data_key'").get() as {v: Uint8Array}).v,
    ).toString('hex')
    const rows = db.prepare('SELECT ciphertext FROM secret_values ORDER BY secret_id, key').all() as Array<{
      ciphertext: Uint8Array
    }>
    return {wrapped, ciphertexts: rows.map((row) => Buffer.from(row.ciphertext).toString('hex'))}
  } finally {
    db.close()
  }
}

/** `hush ARGS` with the current passphrase on descriptor 3 and the new one on standard input. */
async function withFds(t: TestHome, dir: string, args: string[], fd3: string, stdin: string) {
  const file = join(dir, `fd3-${randomBytes(3).toString('hex')}`)
  writeFileSync(file, `${fd3}\n`, {mode: 0o600})
  const command = [process.execPath, BIN, ...args, '--passphrase-fd', '3'].map((w) => `'${w}'`).join(' ')
  const result = await execa('bash', ['-c', `${command} 3< '${file}'`], {env: t.env, input: stdin, reject: false})
  rmSync(file)
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1}
}

const storeEvents = async (t: TestHome) =>
  (await t.json<AuditEvent[]>(['audit'])).filter((e) => e.event.startsWith('store.'))

describe('hush init --change-passphrase', () => {
  it('re-wraps the data key: the old passphrase no longer unseals, the new one does, values intact', async () => {
    const t = homeForTest()
    const dir = dirForTest('hush-keys-')
    await t.ok(['init', '--keyring', 'passphrase'], {input: `${OLD}\n`})
    await t.ok(['secrets', 'new', 'db', 'PASSWORD=hunter2', 'URL=postgres://db'])
    const before = await storeValues(t, dir)

    const wrong = await withFds(t, dir, ['init', '--change-passphrase'], 'not the passphrase', NEW)
    expect(wrong.exitCode).toBe(1)
    expect(wrong.stderr.trim()).toBe('hush: Wrong current passphrase: nothing changed.')
    const noWay = await t.hush(['init', '--change-passphrase'], {input: `${OLD}\n`})
    expect(noWay.exitCode).toBe(2)
    expect(noWay.stderr).toContain('--passphrase-fd')

    const changed = await withFds(t, dir, ['init', '--change-passphrase'], OLD, NEW)
    expect(changed.exitCode, changed.stderr).toBe(0)
    expect(changed.stdout).toContain('the old one no longer opens this store')
    await t.ok(['daemon', 'stop'])
    // The unlock cache now holds the key of the new passphrase: the next agent opens unsealed.
    await t.ok(['secrets', 'list'])
    expect((await t.json<Hello>(['daemon', 'status'])).sealed).toBe(false)
    await t.ok(['seal'])
    const old = await t.hush(['unseal'], {input: OLD})
    expect(old.exitCode).toBe(1)
    expect(old.stderr).toContain('Wrong passphrase')
    await t.ok(['unseal'], {input: NEW})
    expect(await storeValues(t, dir)).toEqual(before)

    // On a terminal: current once, new twice.
    await t.ok(['seal'])
    const typed = await onTerminal(
      t,
      ['init', '--change-passphrase'],
      [
        ['Current passphrase (hidden):', NEW],
        ['New passphrase (hidden):', OLD],
        ['Repeat the passphrase:', OLD],
      ],
    )
    expect(typed.exitCode, typed.output).toBe(0)
    expect((await t.json<Hello>(['daemon', 'status'])).sealed).toBe(true)
    await t.ok(['unseal'], {input: OLD})
    expect(await storeValues(t, dir)).toEqual(before)
    expect((await storeEvents(t)).map((e) => e.event)).toContain('store.passphrase_changed')
    expect((await storeEvents(t)).filter((e) => e.event === 'store.passphrase_changed')).toHaveLength(2)
  }, 180_000)

  it('says an OS keyring store has no passphrase to change', async () => {
    const t = homeForTest()
    await t.ok(['secrets', 'new', 'db', 'A=1'])
    const result = await t.hush(['init', '--change-passphrase'], {input: 'x'})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('has no passphrase to change')
  })
})

describe('hush init --rotate-key', () => {
  it('re-encrypts every value under a new data key, in both modes and across switches', async () => {
    const t = homeForTest()
    const dir = dirForTest('hush-keys-')
    await t.ok(['secrets', 'new', 'db', 'PASSWORD=hunter2', 'URL=postgres://db'])
    await t.ok(['secrets', 'new', 'api', 'TOKEN=scoped 🙂', '--app', 'web'])
    await t.ok(['secrets', 'new', 'gone', 'X=1'])
    await t.ok(['secrets', 'delete', 'gone'])
    const values = await storeValues(t, dir)
    const before = storedKeys(t)

    const rotated = await t.json<{keyring: string; secrets: number; values: number}>(['init', '--rotate-key'])
    expect(rotated).toEqual({keyring: 'os', secrets: 2, values: 3})
    const after = storedKeys(t)
    expect(after.wrapped).not.toBe(before.wrapped)
    expect(after.ciphertexts.filter((c) => before.ciphertexts.includes(c))).toEqual([])
    await t.ok(['daemon', 'stop'])
    expect(await storeValues(t, dir)).toEqual(values)

    // Passphrase mode: rotation asks the passphrase; the switch back keeps the rotated key working.
    await t.ok(['init', '--keyring', 'passphrase'], {input: `${OLD}\n`})
    const wrong = await t.hush(['init', '--rotate-key'], {input: 'not the passphrase'})
    expect(wrong.exitCode).toBe(1)
    expect(wrong.stderr).toContain('Wrong current passphrase')
    await t.ok(['init', '--rotate-key'], {input: OLD})
    await t.ok(['daemon', 'stop'])
    await t.ok(['unseal'], {input: OLD})
    expect(await storeValues(t, dir)).toEqual(values)
    await t.ok(['init', '--keyring', 'os'])
    await t.ok(['init', '--rotate-key'])
    await t.ok(['daemon', 'stop'])
    expect(await storeValues(t, dir)).toEqual(values)
    const rotations = (await storeEvents(t)).filter((e) => e.event === 'store.key_rotated')
    expect(rotations.map((e) => e.counts)).toEqual([
      {secrets: 2, values: 3},
      {secrets: 2, values: 3},
      {secrets: 2, values: 3},
    ])
  }, 180_000)
})
