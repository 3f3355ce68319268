// POST /v1/unseal: passphrase mode; derives the master key from the sealed passphrase, opens the
// data key and keeps the master key in the kernel keyring for the TTL asked (or the preference).
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const unseal: Handler<Routes['unseal']> = (input, agent) => {
  const ttl = agent.unlockTtl(input.ttl)
  return agent.withPassphrase(input.passphrase, (passphrase) => agent.keyLifecycle.unseal(passphrase, ttl))
}
