// POST /v1/unseal: passphrase mode; derives the master key from the sealed passphrase, opens the
// data key and keeps the master key in the kernel keyring for the TTL asked (or the preference).
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const unseal: Handler<Routes['unseal']> = async (input, agent) => {
  const ttl = agent.unlockTtl(input.ttl)
  const passphrase = agent.openPassphrase(input.passphrase)
  try {
    return await agent.keyLifecycle.unseal(passphrase, ttl)
  } finally {
    agent.sodium.memzero(passphrase)
  }
}
