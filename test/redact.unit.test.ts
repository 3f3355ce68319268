// Log redaction of short values: a value under MIN_ANYWHERE bytes is masked only as a whole word
// (no noise that would show it by its positions), a longer one anywhere; across any chunking.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {MIN_ANYWHERE, Redactor, scrub} from '../src/daemon/redact.js'

const bytes = (text: string) => new TextEncoder().encode(text)

/** Redacts `text` pushed in chunks cut at `cuts`. */
function redactChunked(text: string, values: readonly string[], cuts: number[]): string {
  const redactor = new Redactor(values.map(bytes))
  const input = Buffer.from(text)
  const points = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const point of [...points, input.length]) {
    out.push(redactor.push(input.subarray(from, point)))
    from = point
  }
  out.push(redactor.end())
  return Buffer.concat(out).toString('utf8')
}

describe('redacting short values', () => {
  it('leaves a short value inside words and numbers alone (no noise)', () => {
    expect(MIN_ANYWHERE).toBe(4)
    const log = 'year 2021, build 1812, banana ab_cd xab'
    expect(scrub(log, [bytes('1')])).toBe(log)
    expect(scrub(log, [bytes('a')])).toBe(log)
    expect(scrub(log, [bytes('ab')])).toBe(log)
  })

  it('masks a short value standing as a word (no leak)', () => {
    expect(scrub('pin: 42\n', [bytes('42')])).toBe('pin: ***\n')
    expect(scrub('42', [bytes('42')])).toBe('***')
    expect(scrub('key=x;', [bytes('x')])).toBe('key=***;')
  })

  it('masks a value of MIN_ANYWHERE bytes or more anywhere, even inside a word', () => {
    expect(scrub('prefixs3cretsuffix', [bytes('s3cr')])).toBe('prefix***etsuffix')
  })

  it('gives the same result however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-c1 _=\n]{0,40}$/),
        fc.array(fc.nat(60), {maxLength: 6}),
        fc.constantFrom(['a'], ['1'], ['ab'], ['abc1'], ['a', 'abc1'], ['1', 'b c']),
        (text, cuts, values) => {
          const whole = scrub(text, values.map(bytes))
          expect(redactChunked(text, values, cuts)).toBe(whole)
        },
      ),
    )
  })
})
