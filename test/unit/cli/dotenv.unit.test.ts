// The .env syntax of --from-dotenv: each good form read byte for byte, each bad line refused with
// its line number and without its text, prototype-named keys kept as keys.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'
import {HushError} from '../../../src/api/errors.js'
import {parseDotenv, readDotenv} from '../../../src/cli/dotenv.js'
import {collectValues} from '../../../src/cli/values.js'

const parse = (text: string | Uint8Array) =>
  Object.fromEntries(parseDotenv(typeof text === 'string' ? Buffer.from(text) : text, 'app.env'))

function refusal(text: string | Uint8Array): {code: string; message: string} {
  try {
    parse(text)
  } catch (error) {
    expect(error).toBeInstanceOf(HushError)
    return {code: (error as HushError).code, message: (error as HushError).message}
  }
  throw new Error('expected the file to be refused')
}

describe('parseDotenv: the good forms, byte for byte', () => {
  it('reads KEY=VALUE, export, comments, blanks, spaces around = and CRLF', () => {
    expect(
      parse(
        [
          '\uFEFF# a comment',
          '',
          '   \t',
          'PLAIN=value',
          'export EXPORTED=yes',
          'SPACED = around \t',
          'HASH=abc # trailing comment',
          'NOT_A_COMMENT=abc#def',
          'HASH_FIRST=#abc',
          'ONLY_A_COMMENT= # nothing before it',
          'URL=https://x.example/a?b=c#frag',
          'EQUALS=a=b=c',
          'QUOTES_INSIDE=it\'s "fine"',
          '  # indented comment',
          'CRLF=windows\r',
          'TAB=a\tb',
          'LAST=no newline at the end',
        ].join('\n'),
      ),
    ).toEqual({
      PLAIN: 'value',
      EXPORTED: 'yes',
      SPACED: 'around',
      HASH: 'abc',
      NOT_A_COMMENT: 'abc#def',
      HASH_FIRST: '#abc',
      ONLY_A_COMMENT: '',
      URL: 'https://x.example/a?b=c#frag',
      EQUALS: 'a=b=c',
      QUOTES_INSIDE: 'it\'s "fine"',
      CRLF: 'windows',
      TAB: 'a\tb',
      LAST: 'no newline at the end',
    })
  })

  it('keeps quoted values as written: spaces, #, line breaks, and only the documented escapes', () => {
    expect(
      parse(
        [
          'DOUBLE="  two words # not a comment  "',
          "SINGLE='literal \\n \\\\ \" stays'",
          'ESCAPES="a\\nb\\rc\\td\\"e\\\\f"',
          'MULTI="line1',
          'line2  ',
          '"',
          "MULTI_SINGLE='x",
          "y' # comment",
          'AFTER="v"   # comment',
          'CRLF_INSIDE="a\r\nb"\r',
          'EMPTY_QUOTES_OK_LATER="x"',
        ].join('\n'),
      ),
    ).toEqual({
      DOUBLE: '  two words # not a comment  ',
      SINGLE: 'literal \\n \\\\ " stays',
      ESCAPES: 'a\nb\rc\td"e\\f',
      MULTI: 'line1\nline2  \n',
      MULTI_SINGLE: 'x\ny',
      AFTER: 'v',
      CRLF_INSIDE: 'a\r\nb',
      EMPTY_QUOTES_OK_LATER: 'x',
    })
  })

  it('keeps non-ASCII UTF-8, a BOM inside a value and control characters byte for byte', () => {
    const value = Buffer.from('caf\u00e9 \u{1F600} \uFEFF\u001b[31m\r', 'utf8')
    const file = Buffer.concat([Buffer.from("K='"), value, Buffer.from("'\n")])
    const [key, got] = [...parseDotenv(file, 'app.env')][0]
    expect(key).toBe('K')
    expect(Buffer.from(got, 'utf8').equals(value)).toBe(true)
  })

  it('keeps __proto__, constructor and other prototype names as ordinary keys', () => {
    const values = parseDotenv(Buffer.from('__proto__=p\nconstructor=c\ntoString=t\nhasOwnProperty=h\n'), 'app.env')
    expect([...values]).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['toString', 't'],
      ['hasOwnProperty', 'h'],
    ])
  })

  it('reads back any value written single- or double-quoted, byte for byte (property)', () => {
    const text = fc.string({unit: 'grapheme', minLength: 1, maxLength: 40})
    fc.assert(
      fc.property(text, (value) => {
        const double = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
        expect(parse(`K=${double}\n`)).toEqual({K: value})
        if (!value.includes("'")) expect(parse(`K='${value}'`)).toEqual({K: value})
      }),
    )
  })
})

describe('parseDotenv: every bad line refused with its line number, never its text', () => {
  const secret = 'sk-live-9f8e7d6c5b4a'
  const cases: Array<[string, string, number, RegExp]> = [
    ['a line without =', `A=1\n${secret}\n`, 2, /is not KEY=VALUE, a # comment or blank/],
    ['export without =', `A=1\n\nexport ${secret}\n`, 3, /is not KEY=VALUE/],
    ['a colon instead of =', `A=1\nB: ${secret}\n`, 2, /is not KEY=VALUE/],
    ['an unterminated double quote', `A=1\nB="${secret}\nC=2\n`, 2, /opened with " has no closing "/],
    ['an unterminated single quote', `A=1\nB='${secret}`, 2, /opened with ' has no closing '/],
    ['text after the closing quote', `A=1\nB="${secret}" trailing\n`, 2, /text follows the closing "/],
    ['an unknown escape', `A=1\nB="x\n${secret}\\q"\n`, 3, /a backslash in double quotes starts one of/],
    [
      'a CR without LF (old Mac line endings)',
      `A=1\nB=${secret}\rC=2\n`,
      2,
      /a carriage return that does not end the line/,
    ],
    ['a CR at the end of the file', `A=1\r\nB=${secret}\r`, 2, /CR without LF/],
    ['a CR in a comment', `A=1\n# c\rB=${secret}\n`, 2, /CR without LF/],
    ['backquotes', `A=1\nB=\`${secret}\`\n`, 2, /backquotes do not quote a value here/],
    ['a key that is no env var name', `A=1\n${secret}=v\n`, 2, /the key is invalid \(not shown: it may be a value\)/],
    ['a key with a dot', `my.key=${secret}\n`, 1, /the key is invalid/],
    ['an empty key', `=${secret}\n`, 1, /the key is invalid/],
  ]
  for (const [what, text, line, says] of cases) {
    it(`refuses ${what} on line ${line}`, () => {
      const {message} = refusal(text)
      expect(message).toMatch(new RegExp(`^--from-dotenv app\\.env:${line}: `))
      expect(message).toMatch(says)
      expect(message).not.toContain(secret)
      expect(message).not.toContain('\n')
    })
  }

  it('refuses a key given twice, naming it and both lines', () => {
    expect(refusal('A=1\nB=2\n# c\nA=3\n')).toEqual({
      code: 'duplicate_key',
      message: '--from-dotenv app.env:4: key A is given again (first on line 1): give each key once.',
    })
    expect(refusal('export __proto__=1\n__proto__=2\n').message).toMatch(/:2: key __proto__ is given again/)
  })

  it('refuses invalid UTF-8 with the line it is on, as --from-stdin refuses it', () => {
    const file = Buffer.concat([Buffer.from('A=1\nB="x\n'), Buffer.from([0x79, 0xc3, 0x28]), Buffer.from('"\n')])
    expect(refusal(file)).toEqual({
      code: 'invalid_value',
      message: '--from-dotenv app.env:3: this line is not valid UTF-8: a .env file is UTF-8 text, as values are.',
    })
    expect(refusal(Buffer.from([0x4b, 0x3d, 0xff])).message).toMatch(/^--from-dotenv app\.env:1: /)
  })

  it('quotes a file name that holds control characters', () => {
    expect(() => parseDotenv(Buffer.from('x\n'), 'a\u001b[2Jb.env')).toThrow(
      '--from-dotenv "a\\u001b[2Jb.env":1: this line is not KEY=VALUE',
    )
  })
})

describe('--from-dotenv through collectValues', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hush-dotenv-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }

  it('gives prototype-named keys their bytes, in file order', async () => {
    const values = await collectValues({pairs: [], fromDotenv: file('proto.env', '__proto__="a b"\nconstructor=c\n')})
    expect([...values].map(([key, bytes]) => [key, Buffer.from(bytes).toString()])).toEqual([
      ['__proto__', 'a b'],
      ['constructor', 'c'],
    ])
  })

  it('refuses a file with no KEY=VALUE line, and one it cannot read', () => {
    expect(() => readDotenv(file('empty.env', '\n# only comments\n'))).toThrow(/no KEY=VALUE lines in it/)
    expect(() => readDotenv(join(dir, 'missing.env'))).toThrow(/cannot read it \(ENOENT\)/)
  })
})
