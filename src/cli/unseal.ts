// `hush unseal`: passphrase mode; send the passphrase (sealed) so the agent can open the store, and
// keep the opened key in the kernel keyring so later agents open it without asking.
import type {SealState} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {CommandContext} from './context.js'
import {readPassphrase} from './passphrase.js'
import {describeUnlockCache} from './unlock-cache.js'
import {checkTtlFlag} from './unlock-flags.js'

export interface UnsealOptions {
  /** `--ttl`: how long the kernel keyring keeps the key (checked here, before anything is read). */
  ttl?: string
  passphraseFd?: number
}

export async function unseal(options: UnsealOptions, ctx: CommandContext): Promise<SealState> {
  const ttl = checkTtlFlag(options.ttl)
  const hush = await ctx.hush()
  const {hello} = await hush.connection()
  if (hello.keyring !== 'passphrase') {
    throw new HushError(
      'wrong_keyring_mode',
      'This store keeps its master key in the OS keyring, so there is nothing to unseal: `hush init --keyring passphrase` switches it to passphrase mode.',
    )
  }
  if (!hello.sealed) {
    ctx.log(`The store is already unsealed (${describeUnlockCache(hello.unlockCache)}).`)
    return {sealed: false, changed: false, unlockCache: hello.unlockCache}
  }
  const passphrase = await readPassphrase({confirm: false, fd: options.passphraseFd, io: ctx.io})
  const result = await hush.unseal(passphrase, {ttl}).finally(() => passphrase.fill(0))
  ctx.log(`Unsealed: ${describeUnlockCache(result.unlockCache)}.`)
  return result
}
