// `--env KEY=VALUE` pairs: the shape both ends check (the CLI before it asks the agent anything,
// the agent on every submit) with its one message, and the agent's parse into a plain env.
import {HushError} from '../errors.js'
import {checkKey, MAX_VALUE_BYTES} from '../limits.js'

/** Where the `=` of `--env` number `index + 1` is; refused when it has no KEY before one. */
function equalsOf(pair: unknown, index: number): number {
  const eq = typeof pair === 'string' ? pair.indexOf('=') : -1
  if (eq <= 0) {
    // Named by position: the text may be a value given without its KEY=, never echoed.
    throw new HushError('bad_request', `--env number ${index + 1} is not KEY=VALUE: write --env KEY=VALUE.`)
  }
  return eq
}

/** Refuses the first pair that is not `KEY=VALUE` (a value may be empty). */
export function checkEnvPairs(pairs: readonly string[]): void {
  pairs.forEach(equalsOf)
}

/** Parses `--env KEY=VALUE` pairs (a value may be empty); a key given twice is an error. */
export function parsePlainEnv(pairs: string[]): Record<string, string> {
  const env = new Map<string, string>()
  pairs.forEach((pair, index) => {
    const eq = equalsOf(pair, index)
    const key = checkKey(pair.slice(0, eq), `--env number ${index + 1}`)
    const value = pair.slice(eq + 1)
    if (env.has(key)) throw new HushError('duplicate_key', `--env ${key} is given twice: give it once.`)
    if (value.includes('\0') || Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      throw new HushError('invalid_value', `--env ${key}: a value is text without NUL, at most 64 KiB.`)
    }
    env.set(key, value)
  })
  // fromEntries defines own properties: a key named `__proto__` or `constructor` is a key like any other.
  return Object.fromEntries(env)
}
