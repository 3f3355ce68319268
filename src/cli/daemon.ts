// The agent as the CLI describes and drives it: \`hush daemon start|status|stop\`, the idle timeout
// of \`hush daemon run\`, and where the master key comes from in one line (daemon status, doctor).
import type {Hello, KeyringStatus} from '../api/contract.js'
import {describeUnlockCache} from './unlock-cache.js'

/** The master key's home in one line, as checked now. */
export function describeMasterKey(hello: Pick<Hello, 'keyringAccount'>, keyring: KeyringStatus): string {
  if (keyring.keyring === 'os') {
    const entry = `service hush, account ${hello.keyringAccount}`
    return keyring.osKeyring?.reachable === false
      ? `OS keyring (not reachable: ${keyring.osKeyring.reason}; ${entry})`
      : `OS keyring (${entry})`
  }
  return keyring.sealed
    ? `passphrase, sealed (run \`hush unseal\`); ${describeUnlockCache(keyring.unlockCache)}`
    : `passphrase, unsealed; ${describeUnlockCache(keyring.unlockCache)}`
}
