// POST /v1/init/rotate-key: a new data key, every value re-encrypted in one transaction.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const rotateKey: Handler<Routes['rotateKey']> = async (input, agent) => {
  const passphrase = input.passphrase === undefined ? undefined : agent.openPassphrase(input.passphrase)
  try {
    return await agent.keyChange.rotateDataKey(passphrase)
  } finally {
    if (passphrase) agent.sodium.memzero(passphrase)
  }
}
