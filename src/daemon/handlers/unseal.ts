// POST /v1/unseal: passphrase mode; derives the master key from the sealed passphrase and opens the data key.
import type {Routes} from '../../api/contract.js'
import type {Handler} from './types.js'

export const unseal: Handler<Routes['unseal']> = async (input, agent) => {
  const passphrase = agent.openPassphrase(input.passphrase)
  try {
    return await agent.vault.unseal(passphrase)
  } finally {
    agent.sodium.memzero(passphrase)
  }
}
