// Per-store preferences: a small JSON file in the state directory (`preferences.json`), never holding
// a value. Read here with the rules below, on every read (a command reads one or two, the agent
// one per launch); written by conf, loaded only where the file is written (the agent's start).
// How the master key is kept (OS keyring or passphrase) is not here: the store meta holds it, next
// to the data key it wraps (see daemon/vault/data-key.ts).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {HushError} from '../api/errors.js'

export interface Preferences {
  /** Seconds without a request before the agent exits; 0 keeps it up. */
  idleTimeoutSeconds: number
  /** Print the advisory warning for sensitive-looking `--env` keys. */
  warnSensitiveEnv: boolean
  /** The docker context `submit` uses without `--context` ('' = the agent's own engine). */
  dockerContext: string
  /** Send values to a docker engine over TCP without TLS (in clear): refused unless true. */
  allowPlainTcp: boolean
  /** Passphrase mode: how long the kernel keyring keeps the unlocked key (api/rules/ttl.ts: `boot`, `12h`, `off`). */
  unsealTtl: string
}

export const DEFAULT_IDLE_TIMEOUT_SECONDS = 30 * 60

/** What an unset preference means. */
export const PREFERENCE_DEFAULTS: Readonly<Preferences> = {
  idleTimeoutSeconds: DEFAULT_IDLE_TIMEOUT_SECONDS,
  warnSensitiveEnv: true,
  dockerContext: '',
  allowPlainTcp: false,
  unsealTtl: 'boot',
}

/** What each preference must be, in the words of the error that says it is not. */
const RULES: {readonly [K in keyof Preferences]: {holds: (value: unknown) => boolean; what: string}} = {
  idleTimeoutSeconds: {
    holds: (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0,
    what: 'a number of seconds, 0 or more (0 keeps the agent up)',
  },
  warnSensitiveEnv: {holds: (value) => typeof value === 'boolean', what: 'true or false'},
  dockerContext: {holds: (value) => typeof value === 'string', what: 'a docker context name, or "" for none'},
  allowPlainTcp: {holds: (value) => typeof value === 'boolean', what: 'true or false'},
  unsealTtl: {holds: (value) => typeof value === 'string', what: 'a duration such as "12h", "boot" or "off"'},
}

/** The preferences file of the store in `home`. */
export function preferencesFile(home: string): string {
  return join(home, 'preferences.json')
}

/**
 * The preferences the file in `home` sets, each checked against its rule (a file that is not a
 * JSON object, or one wrong preference, is refused in one line naming the file and the fix); no
 * file sets none. Keys hush does not know are left alone.
 */
function preferencesSet(home: string): Partial<Preferences> {
  const file = preferencesFile(home)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new HushError('bad_request', `Cannot read ${file} (${(error as Error).message.split('\n')[0]}).`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HushError('bad_request', `${file} is not a JSON object: fix it, or remove it to use the defaults.`)
  }
  const set = parsed as Record<string, unknown>
  for (const key of Object.keys(RULES) as (keyof Preferences)[]) {
    if (Object.hasOwn(set, key) && !RULES[key].holds(set[key])) {
      throw new HushError(
        'bad_request',
        `The ${key} preference in ${file} must be ${RULES[key].what}: fix it, or remove it to use the default.`,
      )
    }
  }
  return set as Partial<Preferences>
}

/** One preference of the store in `home`: what the file says, else its default. */
export function preference<K extends keyof Preferences>(home: string, key: K): Preferences[K] {
  const set = preferencesSet(home)
  return Object.hasOwn(set, key) ? (set[key] as Preferences[K]) : PREFERENCE_DEFAULTS[key]
}

/**
 * The preferences of the store in `home`, the file written first (private, every default filled
 * in, so users find what they can set; what the file already says is kept): the agent does this
 * as it starts. The file is checked before and after conf writes it.
 */
export async function openPreferences(home: string): Promise<Preferences> {
  preferencesSet(home)
  const {default: Conf} = await import('conf')
  new Conf<Preferences>({
    cwd: home,
    configName: 'preferences',
    // Like every file of the store: readable by its owner only, whatever the umask.
    configFileMode: 0o600,
    projectName: 'hush',
    defaults: PREFERENCE_DEFAULTS,
  })
  return {...PREFERENCE_DEFAULTS, ...preferencesSet(home)}
}
