// `hush seal`: passphrase mode; the kernel keyring's entry is removed and the agent wipes the
// store's key from memory at once.
import type {SealState} from '../api/contract.js'
import type {CommandContext} from './context.js'

export async function seal(ctx: CommandContext): Promise<SealState> {
  const result = await (await ctx.hush()).seal()
  const cache = result.unlockCache
  const kept = cache?.state === 'unavailable' ? ` The kernel keyring could not be reached (${cache.problem}).` : ''
  ctx.log(
    `${result.changed ? 'Sealed: the key is wiped from the agent’s memory and the kernel keyring.' : 'The store was already sealed; the kernel keyring holds no key for it.'}${kept}`,
  )
  return result
}
