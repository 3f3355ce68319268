// Per-store preferences (conf): a small JSON file in the state directory. Never holds a value.
// How the master key is kept (OS keyring or passphrase) is not here: the store meta holds it, next
// to the data key it wraps (see daemon/vault/data-key.ts).
import Conf from 'conf'

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

/**
 * The preferences file, created when missing (private, every default written out, so users find
 * what they can set): the agent opens it this way when it starts.
 */
export function openPreferences(home: string): Conf<Preferences> {
  return preferencesFile(home, true)
}

/** One preference of the store in `home`: what the file says, else its default. */
export function preference<K extends keyof Preferences>(home: string, key: K): Preferences[K] {
  return preferencesFile(home, false).get(key, PREFERENCE_DEFAULTS[key])
}

/**
 * conf over `preferences.json`. Given defaults, conf writes them into the file as it opens; without
 * them, opening writes nothing, so a command that only reads a preference works on a full disk.
 */
function preferencesFile(home: string, writeDefaults: boolean): Conf<Preferences> {
  return new Conf<Preferences>({
    cwd: home,
    configName: 'preferences',
    // Like every file of the store: readable by its owner only, whatever the umask.
    configFileMode: 0o600,
    projectName: 'hush',
    ...(writeDefaults ? {defaults: PREFERENCE_DEFAULTS} : {}),
    schema: {
      idleTimeoutSeconds: {type: 'number', minimum: 0},
      warnSensitiveEnv: {type: 'boolean'},
      dockerContext: {type: 'string'},
      allowPlainTcp: {type: 'boolean'},
      unsealTtl: {type: 'string'},
    },
  })
}
