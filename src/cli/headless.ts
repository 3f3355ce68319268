// Headless by default: where no OS keyring answers and the store is new, a terminal user is offered
// passphrase mode on the spot (typed twice, no echo); without a terminal the keyring error stands,
// naming both ways out.
import type {InitOutput} from '../api/contract.js'
import type {HushError} from '../api/errors.js'
import type {HushClient} from '../client/hush-client.js'
import {type IOStreams, promptLine} from './io.js'
import {readPassphrase} from './passphrase.js'
import {describeUnlockCache} from './unlock-cache.js'

/** Puts the store in passphrase mode with `passphrase` (wiped here), unsealed. */
export function initPassphrase(hush: HushClient, passphrase: Uint8Array, ttl?: string): Promise<InitOutput> {
  return hush.init('passphrase', passphrase, {ttl}).finally(() => passphrase.fill(0))
}

/** True for the one failure the offer answers: a new store, no OS keyring, a person at a terminal. */
export function canOfferPassphrase(error: HushError, io: IOStreams): boolean {
  return error.code === 'keyring_unavailable' && error.details.newStore === true && io.isTTY.stdin && io.isTTY.stderr
}

/**
 * Explains that no OS keyring answers and offers a passphrase. Resolves true once the store is in
 * passphrase mode and unsealed; false when the user declines (the original error then stands).
 */
export async function offerPassphrase(hush: HushClient, error: HushError, io: IOStreams): Promise<boolean> {
  const reason = String(error.details.reason ?? 'no Secret Service')
  io.stderr.write(
    `No OS keyring answers here (${reason}), so hush cannot keep this store's master key in one.\n` +
      'It can derive it from a passphrase instead (passphrase mode): you choose it now, and type it once\n' +
      'per boot with `hush unseal`; it is stored nowhere, so if it is lost, so are the secrets.\n',
  )
  const answer = await promptLine(io, 'Set a passphrase for this store now? [Y/n] ')
  if (!/^(y|yes)?$/i.test(answer.trim())) return false
  const result = await initPassphrase(hush, await readPassphrase({confirm: true, io}))
  io.stderr.write(`This store is in passphrase mode and unsealed: ${describeUnlockCache(result.unlockCache)}.\n`)
  return true
}
