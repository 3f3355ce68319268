// The name, key, value and description checks shared by CLI and agent: exact boundaries, and
// fast-check properties against an independent statement of the rules in the spec.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {HushError} from '../../../src/api/errors.js'
import {
  checkDeploymentId,
  checkDescription,
  checkKey,
  checkSecretName,
  checkValue,
  MAX_KEY_LENGTH,
  MAX_VALUE_BYTES,
  newDeploymentId,
} from '../../../src/api/limits.js'

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const LETTERS = `${UPPER}${UPPER.toLowerCase()}`
const DIGITS = '0123456789'
const NAME_FIRST = [...`${LETTERS}${DIGITS}`]
const NAME_REST = [...`${LETTERS}${DIGITS}_.-`]
const KEY_FIRST = [...`${LETTERS}_`]
const KEY_REST = [...`${LETTERS}${DIGITS}_`]

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (error) {
    expect(error).toBeInstanceOf(HushError)
    return (error as HushError).code
  }
}

const word = (first: string[], rest: string[], maxRest: number) =>
  fc
    .tuple(fc.constantFrom(...first), fc.array(fc.constantFrom(...rest), {maxLength: maxRest}))
    .map(([head, tail]) => head + tail.join(''))

describe('secret names', () => {
  it('accepts every name made of the allowed characters, 1 to 128 long', () => {
    fc.assert(fc.property(word(NAME_FIRST, NAME_REST, 127), (name) => checkSecretName(name) === name))
  })

  it('rejects a name with any character outside the set', () => {
    const outside = fc.string({minLength: 1, maxLength: 1, unit: 'binary'}).filter((c) => !NAME_REST.includes(c))
    fc.assert(
      fc.property(word(NAME_FIRST, NAME_REST, 60), outside, fc.nat(), (name, bad, at) => {
        const index = at % (name.length + 1)
        return codeOf(() => checkSecretName(name.slice(0, index) + bad + name.slice(index))) === 'invalid_name'
      }),
    )
  })

  it('rejects an empty name, one over 128 characters and one starting with _ . or -', () => {
    expect(codeOf(() => checkSecretName(''))).toBe('invalid_name')
    expect(codeOf(() => checkSecretName('a'.repeat(128)))).toBeUndefined()
    expect(codeOf(() => checkSecretName('a'.repeat(129)))).toBe('invalid_name')
    for (const first of ['_', '.', '-']) expect(codeOf(() => checkSecretName(`${first}x`))).toBe('invalid_name')
    expect(codeOf(() => checkSecretName(42))).toBe('invalid_name')
    expect(codeOf(() => checkSecretName('ok\n'))).toBe('invalid_name')
  })
})

describe('keys', () => {
  it('accepts every env var name up to 256 characters', () => {
    fc.assert(fc.property(word(KEY_FIRST, KEY_REST, MAX_KEY_LENGTH - 1), (key) => checkKey(key) === key))
  })

  it('rejects keys over 256 characters, starting with a digit, or with any other character', () => {
    fc.assert(
      fc.property(word(KEY_FIRST, KEY_REST, 400), (key) =>
        key.length > MAX_KEY_LENGTH ? codeOf(() => checkKey(key)) === 'invalid_key' : true,
      ),
    )
    fc.assert(
      fc.property(fc.constantFrom(...DIGITS), word(KEY_FIRST, KEY_REST, 20), (digit, key) => {
        return codeOf(() => checkKey(digit + key)) === 'invalid_key'
      }),
    )
    const outside = fc.string({minLength: 1, maxLength: 1, unit: 'binary'}).filter((c) => !KEY_REST.includes(c))
    fc.assert(
      fc.property(
        word(KEY_FIRST, KEY_REST, 30),
        outside,
        (key, bad) => codeOf(() => checkKey(key + bad)) === 'invalid_key',
      ),
    )
  })

  it('draws the line at 256 characters exactly', () => {
    expect(codeOf(() => checkKey('K'.repeat(256)))).toBeUndefined()
    expect(codeOf(() => checkKey('K'.repeat(257)))).toBe('invalid_key')
    for (const bad of ['1ABC', 'A-B', '', 'A B', 'A=B', 'É']) expect(codeOf(() => checkKey(bad))).toBe('invalid_key')
  })

  it('never prints a whole long key in its message', () => {
    try {
      checkKey(`${'K'.repeat(300)}-`)
    } catch (error) {
      expect((error as HushError).message.length).toBeLessThan(200)
    }
  })
})

describe('values', () => {
  const bytes = (text: string) => new TextEncoder().encode(text)

  it('accepts any UTF-8 text without NUL of 1 byte to 64 KiB and returns it unchanged', () => {
    fc.assert(
      fc.property(fc.string({minLength: 1, maxLength: 200, unit: 'grapheme'}), (text) => {
        fc.pre(!text.includes('\0'))
        return checkValue('K', bytes(text)) === text
      }),
    )
  })

  it('rejects any value holding a NUL byte, never echoing the value', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 50}), fc.string({maxLength: 50}), (before, after) => {
        try {
          checkValue('K', bytes(`${before}\0${after}`))
          return false
        } catch (error) {
          const {code, message} = error as HushError
          return (
            code === 'invalid_value' &&
            message === 'The value of K contains a NUL byte: values must be text without NUL.'
          )
        }
      }),
    )
  })

  it('draws the size line at 64 KiB exactly, and rejects empty and invalid UTF-8 values', () => {
    expect(checkValue('K', new Uint8Array(MAX_VALUE_BYTES).fill(0x61))).toHaveLength(MAX_VALUE_BYTES)
    expect(codeOf(() => checkValue('K', new Uint8Array(MAX_VALUE_BYTES + 1).fill(0x61)))).toBe('invalid_value')
    expect(codeOf(() => checkValue('K', new Uint8Array()))).toBe('invalid_value')
    for (const bad of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      expect(codeOf(() => checkValue('K', new Uint8Array(bad)))).toBe('invalid_value')
    }
    // A 4-byte character at the very end of a 64 KiB value is still accepted.
    const edge = `${'a'.repeat(MAX_VALUE_BYTES - 4)}😀`
    expect(checkValue('K', bytes(edge))).toBe(edge)
    expect(checkValue('K', bytes('line1\nline2\r\n'))).toBe('line1\nline2\r\n')
  })
})

describe('descriptions', () => {
  it('takes text up to 1024 characters without NUL, and nothing else', () => {
    expect(checkDescription(undefined)).toBe('')
    expect(checkDescription('d'.repeat(1024))).toHaveLength(1024)
    expect(codeOf(() => checkDescription('d'.repeat(1025)))).toBe('bad_request')
    expect(codeOf(() => checkDescription('a\0b'))).toBe('bad_request')
    expect(codeOf(() => checkDescription(5))).toBe('bad_request')
  })
})

describe('deployment ids', () => {
  it('every id the agent makes passes the check a restored row goes through, and ids differ', () => {
    const ids = Array.from({length: 200}, () => newDeploymentId())
    for (const id of ids) expect(checkDeploymentId(id)).toBe(id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(codeOf(() => checkDeploymentId('d-1234567'))).toBe('bad_request')
  })
})
