// The .env syntax that `--from-dotenv` reads (docs/reference.md#dotenv-files): every byte of a value
// is kept as written, or the file is refused with `FILE:LINE: what is wrong`. Nothing is skipped,
// trimmed beyond the rule below, replaced or interpolated.
//
//   file        lines separated by LF or CRLF (a CR alone only inside quotes); UTF-8 (strict, as for --from-stdin); one BOM at
//               the very start is not part of the first line
//   blank       spaces and tabs only
//   comment     `#` as the first character after spaces and tabs
//   assignment  [spaces] [export SPACES] KEY [spaces] = [spaces] VALUE [spaces] [# comment]
//   KEY         an env var name (the key rule of every bundle), given once per file
//   VALUE       unquoted: to the end of the line, or to a `#` that follows a space or tab;
//                 spaces and tabs around it are not part of it
//               '...': every character as written, line breaks too, up to the next '
//               "...": as written, line breaks too, up to the next unescaped "; the escapes
//                 \n \r \t \" \\ and no other
import {readFileSync} from 'node:fs'
import {HushError, quoted} from '../api/errors.js'
import {isKey, KEY_RULE, utf8Text} from '../api/limits.js'

const BLANK = new Set([' ', '\t'])
const ESCAPES: Record<string, string> = {n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\'}

/** The file as messages show it: as given, or quoted when it holds anything unusual. */
function shown(file: string): string {
  return /^[\w./@+,:~-]+$/.test(file) ? file : quoted(file)
}

/** The KEY=VALUE pairs of the .env file `file`, in file order: refused when it cannot be read or holds none. */
export function readDotenv(file: string): Map<string, string> {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new HushError(
      'bad_request',
      `--from-dotenv ${shown(file)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    )
  }
  try {
    const values = parseDotenv(bytes, file)
    if (values.size === 0) throw new HushError('bad_request', `--from-dotenv ${shown(file)}: no KEY=VALUE lines in it.`)
    return values
  } finally {
    bytes.fill(0)
  }
}

/**
 * The KEY=VALUE pairs of a .env file's bytes, in file order. `file` names the file in messages;
 * no message holds a value, nor a key that fails the key rule (it may be a value).
 */
export function parseDotenv(bytes: Uint8Array, file: string): Map<string, string> {
  const where = (line: number) => `--from-dotenv ${shown(file)}:${line}`
  const text = decode(bytes, where)
  const values = new Map<string, string>()
  const firstLine = new Map<string, number>()
  let at = text.startsWith('\uFEFF') ? 1 : 0
  let line = 1

  const fail = (code: 'bad_request' | 'invalid_key' | 'duplicate_key', on: number, what: string) =>
    new HushError(code, `${where(on)}: ${what}`)
  const atLineEnd = () => {
    if (text[at] === '\r' && text[at + 1] !== '\n') {
      throw fail(
        'bad_request',
        line,
        'a carriage return that does not end the line (CR without LF): use LF or CRLF line endings; a value that holds a CR goes in quotes.',
      )
    }
    return at >= text.length || text[at] === '\n' || text[at] === '\r'
  }
  const skipBlanks = () => {
    while (BLANK.has(text[at])) at++
  }
  const skipComment = () => {
    while (!atLineEnd()) at++
  }
  const endLine = () => {
    if (text[at] === '\r') at++
    if (text[at] === '\n') at++
    line++
  }

  while (at < text.length) {
    skipBlanks()
    if (atLineEnd() || text[at] === '#') {
      skipComment()
      endLine()
      continue
    }
    const start = line
    if (text.startsWith('export', at) && BLANK.has(text[at + 6])) {
      at += 6
      skipBlanks()
    }
    const keyFrom = at
    while (!atLineEnd() && text[at] !== '=' && !BLANK.has(text[at])) at++
    const key = text.slice(keyFrom, at)
    skipBlanks()
    if (text[at] !== '=') {
      throw fail('bad_request', start, 'this line is not KEY=VALUE, a # comment or blank: write KEY=VALUE.')
    }
    if (!isKey(key)) {
      throw fail('invalid_key', start, `the key is invalid (not shown: it may be a value): ${KEY_RULE}.`)
    }
    const first = firstLine.get(key)
    if (first !== undefined) {
      throw fail('duplicate_key', start, `key ${key} is given again (first on line ${first}): give each key once.`)
    }
    at++
    skipBlanks()
    let value: string
    const quote = text[at]
    if (quote === '"' || quote === "'") {
      at++
      value = ''
      for (;;) {
        if (at >= text.length) {
          throw fail('bad_request', start, `the value opened with ${quote} has no closing ${quote}: close it.`)
        }
        const char = text[at]
        if (char === quote) break
        if (char === '\n') line++
        if (quote === '"' && char === '\\') {
          const escaped = ESCAPES[text[at + 1]]
          if (escaped === undefined) {
            throw fail(
              'bad_request',
              line,
              'a backslash in double quotes starts one of \\n \\r \\t \\" \\\\: write \\\\ for a backslash, or use single quotes.',
            )
          }
          value += escaped
          at += 2
        } else {
          value += char
          at++
        }
      }
      at++
      skipBlanks()
      if (text[at] === '#') skipComment()
      if (!atLineEnd()) {
        throw fail('bad_request', line, `text follows the closing ${quote}: end the line there, or add a # comment.`)
      }
    } else if (quote === '`') {
      throw fail('bad_request', start, 'backquotes do not quote a value here: use \' or ".')
    } else {
      const valueFrom = at
      while (!atLineEnd() && !(text[at] === '#' && BLANK.has(text[at - 1]))) at++
      let end = at
      while (end > valueFrom && BLANK.has(text[end - 1])) end--
      value = text.slice(valueFrom, end)
      skipComment()
    }
    values.set(key, value)
    firstLine.set(key, start)
    endLine()
  }
  return values
}

/** The file's text, or its first line that is not valid UTF-8 (a LF byte is never part of a UTF-8 sequence). */
function decode(bytes: Uint8Array, where: (line: number) => string): string {
  const text = utf8Text(bytes)
  if (text !== undefined) return text
  let line = 1
  let from = 0
  while (from <= bytes.length) {
    const lf = bytes.indexOf(0x0a, from)
    const end = lf === -1 ? bytes.length : lf
    if (utf8Text(bytes.subarray(from, end)) === undefined) {
      throw new HushError(
        'invalid_value',
        `${where(line)}: this line is not valid UTF-8: a .env file is UTF-8 text, as values are.`,
      )
    }
    from = end + 1
    line++
  }
  throw new HushError('invalid_value', `${where(1)}: the file is not valid UTF-8: a .env file is UTF-8 text.`)
}
