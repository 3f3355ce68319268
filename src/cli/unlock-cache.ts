// The unlock cache (a passphrase store's key in the kernel keyring) in words, the same in unseal,
// init, seal, `daemon status` and `doctor`.
import type {UnlockCacheState} from '../api/contract.js'

/** One clause: what the kernel keyring holds for this store and what the user can expect. */
export function describeUnlockCache(cache: UnlockCacheState | undefined): string {
  switch (cache?.state) {
    case 'present': {
      const where =
        cache.keyring === 'user'
          ? 'the kernel user keyring (it ends when your last process does)'
          : 'the kernel keyring (persistent: it outlives logout, 3 idle days at most)'
      return cache.expiresAt
        ? `${where} keeps the key until ${cache.expiresAt}: agents started before then open the store without asking`
        : `${where} keeps the key until reboot (or \`hush seal\`): agents started later open the store without asking`
    }
    case 'unavailable':
      return `the kernel keyring cannot keep the key (${cache.problem}): when the agent stops, run \`hush unseal\` again`
    case 'invalid':
      return `${cache.problem}; \`hush unseal\` replaces it`
    case 'off':
      return 'the key is kept by this agent only (unsealTtl off): when it stops, run `hush unseal` again'
    case 'none':
      return 'the OS keyring holds the master key'
    default:
      return 'the kernel keyring holds no key for this store: a new agent starts sealed'
  }
}
