// Per-store preferences (conf): a small JSON file in the state directory. Never holds a value.
import Conf from 'conf'
import type {KeyringMode} from '../api/contract.js'

export interface Preferences {
  /** Seconds without a request before the agent exits; 0 keeps it up. */
  idleTimeoutSeconds: number
  /** How the master key is kept: the OS keyring or a passphrase. */
  keyring: KeyringMode
  /** Print the advisory warning for sensitive-looking `--env` keys. */
  warnSensitiveEnv: boolean
}

export const DEFAULT_IDLE_TIMEOUT_SECONDS = 30 * 60

export function openPreferences(home: string): Conf<Preferences> {
  return new Conf<Preferences>({
    cwd: home,
    configName: 'preferences',
    // Like every file of the store: readable by its owner only, whatever the umask.
    configFileMode: 0o600,
    projectName: 'hush',
    defaults: {idleTimeoutSeconds: DEFAULT_IDLE_TIMEOUT_SECONDS, keyring: 'os', warnSensitiveEnv: true},
    schema: {
      idleTimeoutSeconds: {type: 'number', minimum: 0},
      keyring: {type: 'string', enum: ['os', 'passphrase']},
      warnSensitiveEnv: {type: 'boolean'},
    },
  })
}
