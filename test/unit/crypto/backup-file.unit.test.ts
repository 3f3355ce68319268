// The backup file format on its own: a round trip, and every changed byte, every cut, a newer
// format and a wrong passphrase refused with one line (cheap KDF parameters: the point is the format).
import {describe, expect, it} from 'vitest'
import {HushError} from '../../../src/api/errors.js'
import {BACKUP_FORMAT, encryptBackup, openBackup, readBackupHeader} from '../../../src/crypto/backup-file.js'
import {loadSodium} from '../../../src/crypto/sodium.js'

const sodium = await loadSodium()
const encoder = new TextEncoder()
const PASSPHRASE = encoder.encode('correct horse battery')
const counts = {secrets: 2, values: 3, deleted: 0, audit: 0}
const cheap = () => ({
  alg: 'argon2id13' as const,
  opslimit: sodium.crypto_pwhash_OPSLIMIT_MIN,
  memlimit: sodium.crypto_pwhash_MEMLIMIT_MIN,
  salt: sodium.to_base64(sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES), sodium.base64_variants.ORIGINAL),
})

function sample(): Buffer {
  const values = ['value-one', 'multi\nline\r\nvalue', '🙂 unicode'].map((text) => encoder.encode(text))
  return encryptBackup(
    sodium,
    PASSPHRASE,
    {meta: encoder.encode('{"secrets":[]}'), values},
    {hush: '0.1.0', createdAt: '2026-01-01T00:00:00.000Z', counts},
    cheap(),
  )
}

function refusal(action: () => unknown): HushError {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(HushError)
    expect((error as HushError).message).not.toContain('\n')
    return error as HushError
  }
  throw new Error('expected a refusal')
}

describe('backup file format', () => {
  it('opens what it sealed; the header reads without the passphrase; no value in the bytes', () => {
    const file = sample()
    const {header} = readBackupHeader(file)
    expect(header).toMatchObject({format: BACKUP_FORMAT, hush: '0.1.0', counts})
    expect(file.subarray(0, 12).toString()).toBe('hush-backup\n')
    for (const text of ['value-one', 'multi', 'unicode']) expect(file.includes(Buffer.from(text))).toBe(false)
    const opened = openBackup(sodium, file, PASSPHRASE)
    expect(new TextDecoder().decode(opened.meta)).toBe('{"secrets":[]}')
    expect(opened.values.map((value) => new TextDecoder().decode(value))).toEqual([
      'value-one',
      'multi\nline\r\nvalue',
      '🙂 unicode',
    ])
  })

  it('refuses a wrong passphrase', () => {
    expect(refusal(() => openBackup(sodium, sample(), encoder.encode('wrong horse battery'))).code).toBe(
      'wrong_passphrase',
    )
  })

  it('refuses the file with any one byte flipped', () => {
    const file = sample()
    const codes = new Set<string>()
    for (let index = 0; index < file.length; index++) {
      const bad = Buffer.from(file)
      bad[index] ^= 0x01
      codes.add(refusal(() => openBackup(sodium, bad, PASSPHRASE)).code)
    }
    expect(
      [...codes].every((code) => ['backup_damaged', 'wrong_passphrase', 'backup_unsupported'].includes(code)),
    ).toBe(true)
  })

  it('refuses the file cut at any length, and with bytes added after its end', () => {
    const file = sample()
    for (let length = 0; length < file.length; length++) {
      expect(['backup_damaged', 'wrong_passphrase']).toContain(
        refusal(() => openBackup(sodium, file.subarray(0, length), PASSPHRASE)).code,
      )
    }
    expect(refusal(() => openBackup(sodium, Buffer.concat([file, Buffer.from([0])]), PASSPHRASE)).message).toContain(
      'after its end',
    )
  })

  it('names the format of a newer backup and says to upgrade', () => {
    const file = sample()
    const text = file.toString('latin1').replace('{"format":1,', '{"format":2,')
    const error = refusal(() => openBackup(sodium, Buffer.from(text, 'latin1'), PASSPHRASE))
    expect(error.code).toBe('backup_unsupported')
    expect(error.message).toContain('upgrade hush')
  })

  it('quotes and cuts the unauthenticated hush version of a newer backup: no escape or newline reaches the terminal', () => {
    const hostile = `9\u001b]0;pwned\u0007\n${'x'.repeat(60_000)}`
    const text = sample()
      .toString('latin1')
      .replace('{"format":1,', '{"format":2,')
      .replace(/"hush":"[^"]*"/, `"hush":${JSON.stringify(hostile)}`)
    const error = refusal(() => openBackup(sodium, Buffer.from(text, 'latin1'), PASSPHRASE))
    expect(error.code).toBe('backup_unsupported')
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f]/)
    expect(error.message).toContain('\\u001b]0;pwned')
    expect(error.message.length).toBeLessThan(300)
  })

  it('refuses a header asking for more key-derivation work than a backup may', () => {
    const text = sample()
      .toString('latin1')
      .replace(/"memlimit":\d+/, '"memlimit":4294967296')
    expect(refusal(() => readBackupHeader(Buffer.from(text, 'latin1'))).code).toBe('backup_damaged')
  })
})
