// Headless by default: where no OS keyring answers and the store is new, a terminal user is offered
// passphrase mode on the spot (typed twice, no echo); without a terminal the keyring error stands,
// naming both ways out.
import {type InitOutput, routes} from '../api/contract.js'
import type {HushError} from '../api/errors.js'
import type {Connection} from '../client/connect.js'
import {readPassphrase, withSealedPassphrase} from './passphrase.js'
import {describeUnlockCache} from './unlock-cache.js'

/** Puts the store in passphrase mode with `passphrase` (wiped here), unsealed. */
export function initPassphrase(connection: Connection, passphrase: Uint8Array, ttl?: string): Promise<InitOutput> {
  return withSealedPassphrase(connection, passphrase, (sealed) =>
    connection.client.call(routes.init, {
      keyring: 'passphrase',
      passphrase: sealed,
      ...(ttl === undefined ? {} : {ttl}),
    }),
  )
}

/** True for the one failure the offer answers: a new store, no OS keyring, a person at a terminal. */
export function canOfferPassphrase(error: HushError): boolean {
  return (
    error.code === 'keyring_unavailable' &&
    error.details.newStore === true &&
    Boolean(process.stdin.isTTY) &&
    Boolean(process.stderr.isTTY)
  )
}

/**
 * Explains that no OS keyring answers and offers a passphrase. Resolves true once the store is in
 * passphrase mode and unsealed; false when the user declines (the original error then stands).
 */
export async function offerPassphrase(connection: Connection, error: HushError): Promise<boolean> {
  const reason = String(error.details.reason ?? 'no Secret Service')
  process.stderr.write(
    `No OS keyring answers here (${reason}), so hush cannot keep this store's master key in one.\n` +
      'It can derive it from a passphrase instead (passphrase mode): you choose it now, and type it once\n' +
      'per boot with `hush unseal`; it is stored nowhere, so if it is lost, so are the secrets.\n',
  )
  const {read} = await import('read')
  const answer = String(await read({prompt: 'Set a passphrase for this store now? [Y/n] ', output: process.stderr}))
  if (!/^(y|yes)?$/i.test(answer.trim())) return false
  const result = await initPassphrase(connection, await readPassphrase({confirm: true}))
  process.stderr.write(`This store is in passphrase mode and unsealed: ${describeUnlockCache(result.unlockCache)}.\n`)
  return true
}
