// Pure parts of the launch: the sensitive-key words, --secret parsing and the log redactor
// (a value split across chunks anywhere is still hidden).
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {formatSecretRef, parseSecretRef, type SecretRef} from '../../../src/api/rules/secret-ref.js'
import {looksSensitive} from '../../../src/api/rules/sensitive.js'
import {decidePicks} from '../../../src/daemon/deployments/resolve-env.js'
import {MASK, MIN_ANYWHERE, Redactor, scrub} from '../../../src/daemon/docker/redact.js'

describe('sensitive --env keys', () => {
  const warns = [
    'HF_TOKEN',
    'API_KEY',
    'dbPassword',
    'AWS_SECRET_ACCESS_KEY',
    'GITHUB_TOKEN',
    'OPENAI_API_KEY',
    'my-secret',
    'db.passwd',
    'APIKEY',
    'AuthHeader',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'SSH_PRIVATE_KEY',
    'privateKey',
    'Credential',
  ]
  const quiet = [
    'KEYBOARD',
    'MONKEY',
    'BATCH_SIZE',
    'HF_HOME',
    'MODEL',
    'AUTHOR',
    'TOKENIZER_PATH',
    'KEYNOTE',
    'PATH',
    'LOG_LEVEL',
  ]
  it.each(warns)('%s warns', (key) => expect(looksSensitive(key)).toBe(true))
  it.each(quiet)('%s does not warn', (key) => expect(looksSensitive(key)).toBe(false))
})

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

describe('redaction', () => {
  it('hides every value however the output is chunked', () => {
    const word = fc.string({unit: fc.constantFrom('a', 'b', 'c', 'x', '\n'), minLength: 1, maxLength: 12})
    fc.assert(
      fc.property(
        fc.array(word, {minLength: 1, maxLength: 3}),
        fc.array(word, {maxLength: 6}),
        fc.array(fc.nat(40), {maxLength: 8}),
        (values, filler, cuts) => {
          const secrets = values.filter((v) => v.trim().length > 0)
          fc.pre(secrets.length > 0)
          const text = filler.flatMap((f, i) => [f, secrets[i % secrets.length]]).join('|') + secrets.join('|')
          const bytes = Buffer.from(text)
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
          const redactor = new Redactor(secrets.map((s) => Buffer.from(s)))
          const out: Buffer[] = []
          let last = 0
          for (const point of [...points, bytes.length]) {
            out.push(redactor.push(bytes.subarray(last, point)))
            last = point
          }
          out.push(redactor.end())
          const whole = new Redactor(secrets.map((s) => Buffer.from(s)))
          const once = Buffer.concat([whole.push(bytes), whole.end()]).toString()
          expect(Buffer.concat(out).toString()).toBe(once)
          // Short values are masked only as whole words (redact.ts): the promise holds from MIN_ANYWHERE bytes.
          for (const secret of secrets.filter((s) => Buffer.byteLength(s) >= MIN_ANYWHERE)) {
            expect(once.includes(secret) && !secret.includes('*')).toBe(false)
          }
        },
      ),
      {numRuns: 300},
    )
  })

  it('scrubs whole values and lines of multi-line values', () => {
    const values = [Buffer.from('s3cr3t-value'), Buffer.from('-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----')]
    expect(scrub('line KEY=s3cr3t-value: bad', values)).toBe(`line KEY=${MASK}: bad`)
    expect(scrub('near AAAABBBB here', values)).toBe(`near ${MASK} here`)
  })
})
