// The rules of renaming and removing keys in place (src/daemon/secrets/key-edits.ts), on their own: what is
// refused and with which code, and what the bundle looks like after the edits.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {routes} from '../../../../src/api/contract.js'
import {HushError} from '../../../../src/api/errors.js'
import {checkInput} from '../../../../src/daemon/http/route-input.js'
import {applyKeyEdits, checkKeyEdits, readKeyEdits} from '../../../../src/daemon/secrets/key-edits.js'

function refusal(action: () => void): string | undefined {
  try {
    action()
    return undefined
  } catch (error) {
    if (!(error instanceof HushError)) throw error
    return error.code
  }
}

const KEYS = ['A', 'B', 'C']
const check = (rename: Record<string, string>, remove: string[] = [], given: string[] = []) =>
  refusal(() => checkKeyEdits('s', KEYS, given, readKeyEdits(rename, remove)))

describe('checkKeyEdits', () => {
  it('accepts renames, swaps, renames onto a removed key, and a new value under the new name', () => {
    expect(check({A: 'D'})).toBeUndefined()
    expect(check({A: 'B', B: 'A'})).toBeUndefined()
    expect(check({A: 'B'}, ['B'])).toBeUndefined()
    expect(check({A: 'D'}, [], ['D'])).toBeUndefined()
    expect(check({}, ['A', 'B'])).toBeUndefined()
  })

  it('refuses each bad edit with a usage code (exit 2)', () => {
    expect(check({A: 'A'})).toBe('bad_request')
    expect(check({A: 'B'})).toBe('duplicate_key')
    expect(check({A: 'D', B: 'D'})).toBe('duplicate_key')
    expect(check({Z: 'D'})).toBe('bad_request')
    expect(check({A: '1D'})).toBe('invalid_key')
    expect(check({}, ['Z'])).toBe('bad_request')
    expect(check({A: 'D'}, ['A'])).toBe('bad_request')
    expect(check({}, ['A', 'B', 'C'])).toBe('empty_bundle')
    expect(check({}, ['A', 'A'])).toBe('duplicate_key')
    expect(check({A: 'D'}, [], ['A'])).toBe('bad_request')
    expect(check({}, ['A'], ['A'])).toBe('bad_request')
    // Wrong types are refused by the rotate route's schema, before the edits are read.
    const rotate = (input: Record<string, unknown>) => () =>
      checkInput(routes.rotateSecret.input, {name: 's', values: {}, ...input}, 'request body')
    expect(refusal(rotate({rename: ['A=B']}))).toBe('bad_request')
    expect(refusal(rotate({remove: 'A'}))).toBe('bad_request')
  })

  it('an accepted edit keeps every value exactly once, under its new key', () => {
    const key = fc.constantFrom(...KEYS, 'D', 'E')
    fc.assert(
      fc.property(fc.dictionary(key, key), fc.uniqueArray(key), (rename, remove) => {
        const edits = readKeyEdits(rename, remove)
        if (refusal(() => checkKeyEdits('s', KEYS, [], edits)) !== undefined) return
        const wiped: string[] = []
        const after = applyKeyEdits(new Map(KEYS.map((k) => [k, `value of ${k}`])), edits, (v) => wiped.push(v))
        const kept = KEYS.filter((k) => !edits.remove.has(k))
        expect([...after.values()].sort()).toEqual(kept.map((k) => `value of ${k}`).sort())
        expect(wiped.sort()).toEqual([...edits.remove].map((k) => `value of ${k}`).sort())
        for (const k of kept) expect(after.get(edits.rename.get(k) ?? k)).toBe(`value of ${k}`)
      }),
    )
  })
})
