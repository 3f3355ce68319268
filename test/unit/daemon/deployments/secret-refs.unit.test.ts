// --secret references (the three forms, parsed and formatted back) and which secret key each env key
// gets from them: later bundles win, --env removes the secret key, aliases land on their own key.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {formatSecretRef, parseSecretRef, type SecretRef} from '../../../../src/api/rules/secret-ref.js'
import {decidePicks} from '../../../../src/daemon/deployments/resolve-env.js'

describe('--secret references', () => {
  it('parses the three forms and refuses the rest', () => {
    expect(parseSecretRef('hf')).toEqual({name: 'hf'})
    expect(parseSecretRef('TOKEN=hf')).toEqual({key: 'TOKEN', name: 'hf'})
    expect(parseSecretRef('TOKEN=hf:HF_TOKEN')).toEqual({key: 'TOKEN', name: 'hf', srcKey: 'HF_TOKEN'})
    for (const bad of ['', '=hf', 'hf:KEY', 'A=B=C', '1A=hf', 'A=hf:', 'A=bad name']) {
      expect(() => parseSecretRef(bad), bad).toThrow()
    }
    for (const ref of ['hf', 'TOKEN=hf', 'TOKEN=hf:HF_TOKEN']) expect(formatSecretRef(parseSecretRef(ref))).toBe(ref)
  })
})

describe('precedence', () => {
  const keyArb: fc.Arbitrary<string> = fc.constantFrom('A', 'B', 'C', 'D')
  const nameArb: fc.Arbitrary<string> = fc.constantFrom('s1', 's2', 's3')
  const refArb: fc.Arbitrary<SecretRef> = fc.oneof(
    nameArb.map((name) => ({name})),
    fc.tuple(keyArb, nameArb, keyArb).map(([key, name, srcKey]) => ({key, name, srcKey})),
  )
  it('later bundles win, --env removes the secret key, aliases land on their own key', () => {
    fc.assert(
      fc.property(
        fc.array(refArb, {maxLength: 6}),
        fc.uniqueArray(keyArb, {maxLength: 2}),
        fc.dictionary(nameArb, fc.uniqueArray(keyArb, {minLength: 1, maxLength: 4})),
        (refs, plain, bundles) => {
          const secrets = new Map(Object.entries(bundles).map(([name, keys]) => [name, {name, keys}]))
          const usable = refs.filter(
            (ref) =>
              secrets.has(ref.name) && (ref.srcKey === undefined || secrets.get(ref.name)!.keys.includes(ref.srcKey)),
          )
          const picks = decidePicks(usable, secrets, plain)
          // Model: for each env key, the last reference that provides it, unless --env has it.
          const provided = new Set(usable.flatMap((ref) => (ref.key ? [ref.key] : secrets.get(ref.name)!.keys)))
          for (const key of provided) {
            if (plain.includes(key)) {
              expect(picks.has(key)).toBe(false)
              continue
            }
            const last = [...usable]
              .reverse()
              .find((ref) => (ref.key ? ref.key === key : secrets.get(ref.name)!.keys.includes(key)))!
            expect(picks.get(key)).toEqual({
              secret: secrets.get(last.name),
              srcKey: last.srcKey ?? (last.key ? secrets.get(last.name)!.keys[0] : key),
            })
          }
          expect([...picks.keys()].every((key) => provided.has(key))).toBe(true)
        },
      ),
      {numRuns: 500},
    )
  })
})
