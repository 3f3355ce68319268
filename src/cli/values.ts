// Collecting secret values on the CLI side: KEY=VALUE arguments, --from-env, --from-stdin,
// --from-dotenv and presets. Everything is checked before anything is sent, then each value is
// sealed to the agent's public key so the request body never holds plaintext.
import {HushError} from '../api/errors.js'
import {checkKey, checkValue} from '../api/limits.js'
import {type PlainValues, wipeValues} from '../client/box.js'
import {usage} from './base.js'
import {readDotenv} from './dotenv.js'
import {type IOStreams, promptHidden, readAll, systemIO} from './io.js'

export {type PlainValues, sealValues, wipeValues} from '../client/box.js'

export const PRESETS = {
  hf: 'HF_TOKEN',
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  github: 'GITHUB_TOKEN',
  wandb: 'WANDB_API_KEY',
} as const

export type PresetName = keyof typeof PRESETS

export interface ValueSources {
  pairs: string[]
  fromEnv?: string[]
  fromStdin?: string
  fromDotenv?: string
  preset?: PresetName
}

const encoder = new TextEncoder()

function add(values: PlainValues, key: string, bytes: Uint8Array, origin: string): void {
  checkKey(key, origin)
  if (values.has(key)) {
    throw new HushError('duplicate_key', `Key ${key} is given twice (again by ${origin}): give each key once.`)
  }
  values.set(key, bytes)
}

/** Reads one value from standard input: hidden prompt on a terminal, else all of stdin less one trailing newline. */
export async function readValueFromStdin(key: string, io: IOStreams = systemIO()): Promise<Uint8Array> {
  if (io.isTTY.stdin) return promptHidden(io, `Value for ${key} (hidden): `)
  return readAll(io.stdin, `the value of ${key} from standard input`)
}

export async function collectValues(sources: ValueSources, io: IOStreams = systemIO()): Promise<PlainValues> {
  const values: PlainValues = new Map()
  try {
    sources.pairs.forEach((pair, index) => {
      const eq = pair.indexOf('=')
      if (eq <= 0) {
        throw usage(
          `Argument ${index + 2} is not KEY=VALUE: write KEY=VALUE, or use --from-stdin KEY / --from-env KEY to keep the value out of your shell history.`,
        )
      }
      const key = checkKey(pair.slice(0, eq), `argument ${index + 2} (KEY=VALUE)`)
      add(values, key, encoder.encode(pair.slice(eq + 1)), 'a KEY=VALUE argument')
    })
    for (const key of sources.fromEnv ?? []) {
      checkKey(key, '--from-env')
      const value = io.env[key]
      if (value === undefined) throw usage(`--from-env ${key}: the variable ${key} is not set in this environment.`)
      // Read once: no process this command starts (an agent, docker) inherits the value.
      delete io.env[key]
      add(values, key, encoder.encode(value), '--from-env')
    }
    if (sources.fromDotenv !== undefined) {
      for (const [key, value] of readDotenv(sources.fromDotenv))
        add(values, key, encoder.encode(value), '--from-dotenv')
    }
    if (sources.fromStdin !== undefined && sources.preset !== undefined) {
      throw usage('--from-stdin and --preset both read standard input: use one of them.')
    }
    const stdinKey = sources.fromStdin ?? (sources.preset && PRESETS[sources.preset])
    if (stdinKey) {
      checkKey(stdinKey, sources.preset ? '--preset' : '--from-stdin')
      add(values, stdinKey, await readValueFromStdin(stdinKey, io), sources.preset ? '--preset' : '--from-stdin')
    }
    for (const [key, bytes] of values) checkValue(key, bytes)
    return values
  } catch (error) {
    wipeValues(values)
    throw error
  }
}
