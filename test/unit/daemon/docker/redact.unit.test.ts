// Log redaction: the forms of a value that are masked (byte for byte, trimmed, collapsed as
// `echo $VALUE` prints it, each line), short values only as whole words, the same result across any
// chunking, and a stream that holds back only the bytes that can still become a value.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {MASK, MIN_ANYWHERE, maskedForms, Redactor, scrub} from '../../../../src/daemon/docker/redact.js'

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
        fc.constantFrom(
          ['a'],
          ['1'],
          ['ab'],
          ['abc1'],
          ['a', 'abc1'],
          ['1', 'b c'],
          [' ab  c1 '],
          ['a\nbc 1\n'],
          ['ab', ' abc  ', 'c_1=a'],
        ),
        (text, cuts, values) => {
          const whole = scrub(text, values.map(bytes))
          expect(redactChunked(text, values, cuts)).toBe(whole)
        },
      ),
    )
  })
})

describe('the forms of a value that are masked', () => {
  const padded = '  padded  value  '

  it('masks a value byte for byte, trimmed, and collapsed as `echo $VALUE` prints it', () => {
    expect(scrub(`quoted [${padded}]`, [bytes(padded)])).toBe('quoted [***]')
    expect(scrub('stripped [padded  value]', [bytes(padded)])).toBe('stripped [***]')
    expect(scrub('echo padded value\n', [bytes(padded)])).toBe('echo ***\n')
    expect(scrub('tabs a-b\tc-d\n', [bytes(' a-b \t\n c-d\n')])).toBe('tabs a-b\tc-d\n')
    expect(scrub('echo a-b c-d\n', [bytes(' a-b \t\n c-d\n')])).toBe('echo ***\n')
  })

  it('masks each line of a multi-line value, as it is, trimmed and collapsed', () => {
    const key = '-----BEGIN KEY-----\r\n  line  two  \nlast\n'
    expect(scrub('a: -----BEGIN KEY-----\n', [bytes(key)])).toBe('a: ***\n')
    expect(scrub('b:   line  two  |', [bytes(key)])).toBe('b: ***|')
    expect(scrub('c: line  two|', [bytes(key)])).toBe('c: ***|')
    expect(scrub('d: line two|', [bytes(key)])).toBe('d: ***|')
    // `echo $KEY` splits at spaces, tabs and newlines, not at \\r.
    expect(scrub('e: -----BEGIN KEY-----\r line two last\n', [bytes(key)])).toBe('e: ***\n')
  })

  it('masks no derived form shorter than MIN_ANYWHERE bytes (no noise from fragments)', () => {
    // "a", " ab " trimmed and the line "xy" are too short to mask anywhere; the values still are.
    expect(scrub('a b [ab] xy\n', [bytes('a\nbcdef'), bytes(' ab '), bytes('xy\nlonger-line')])).toBe('a b [ab] xy\n')
    expect(scrub('[ ab ] bcdef', [bytes(' ab '), bytes('a\nbcdef')])).toBe('[***] ***')
    expect(maskedForms(bytes(' ab ')).map(String)).toEqual([' ab '])
    expect(maskedForms(bytes('x')).map(String)).toEqual(['x'])
    expect(maskedForms(bytes('  \n  ')).map(String)).toEqual(['  \n  '])
  })

  it('does not mask other encodings, case changes or a value with other words between its parts', () => {
    const value = 'Hush-Value-1234'
    const other = [Buffer.from(value).toString('base64'), value.toUpperCase(), 'Hush-Value- 1234'].join(' ')
    expect(scrub(other, [bytes(value)])).toBe(other)
  })
})

describe('streaming: only bytes that can still become a value wait', () => {
  const token = 'tok_ABCDEFGHIJKLMNOPQRST'
  const big = 'v'.repeat(1024) + 'x'.repeat(64 * 1024 - 1024)

  it('passes a chunk that cannot start a value on at once (24-byte token, 64 KiB value)', () => {
    for (const value of [token, big]) {
      const redactor = new Redactor([bytes(value)])
      expect(redactor.push(bytes('progress 10%\n')).toString()).toBe('progress 10%\n')
      expect(redactor.push(bytes('step 2 of 9 ')).toString()).toBe('step 2 of 9 ')
      expect(redactor.end().toString()).toBe('')
    }
  })

  it('holds back only the start of a value, and lets it go as soon as it cannot be one', () => {
    const redactor = new Redactor([bytes(token)])
    expect(redactor.push(bytes(`key=${token.slice(0, 10)}`)).toString()).toBe('key=')
    expect(redactor.push(bytes(`${token.slice(10)}\nnext tok_`)).toString()).toBe('key=***\nnext '.slice(4))
    expect(redactor.push(bytes('AB!')).toString()).toBe('tok_AB!')
    const large = new Redactor([bytes(big)])
    // The value starts with 1024 'v': only the last 1024 of 2000 can still be its start.
    expect(large.push(bytes(`data ${'v'.repeat(2000)}`)).toString()).toBe(`data ${'v'.repeat(976)}`)
    expect(large.push(bytes('vv\n')).toString()).toBe(`${'v'.repeat(1026)}\n`)
  })

  it('keeps each stream apart: a sibling shares the values, not the held bytes', () => {
    const out = new Redactor([bytes(token)])
    const err = out.sibling()
    expect(out.push(bytes(`a ${token.slice(0, 12)}`)).toString()).toBe('a ')
    expect(err.push(bytes(`b ${token.slice(12)}\n`)).toString()).toBe(`b ${token.slice(12)}\n`)
    expect(err.push(bytes(`${token}\n`)).toString()).toBe('***\n')
    expect(out.push(bytes(`${token.slice(12)}\n`)).toString()).toBe('***\n')
  })

  it('holds back exactly the longest end of the output that begins a masked form', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[ab \n]{0,30}$/),
        fc.constantFrom(['abab'], [' ab  ba '], ['aab', 'bab a'], ['ab\nbbba\n', 'aaaa']),
        (text, values) => {
          const forms = values.flatMap((value) => maskedForms(bytes(value)).map(String))
          // Only texts where no value is complete, so the output is the text less what is held.
          fc.pre(!forms.some((form) => text.includes(form)))
          const out = new Redactor(values.map(bytes)).push(bytes(text)).toString()
          let held = 0
          for (let n = text.length; n > 0 && !held; n--) {
            if (forms.some((form) => form.length > n && form.startsWith(text.slice(-n)))) held = n
          }
          expect(out).toBe(text.slice(0, text.length - held))
        },
      ),
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
