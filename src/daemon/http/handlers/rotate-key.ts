// POST /v1/init/rotate-key: a new data key, every value re-encrypted in one transaction.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const rotateKey: Handler<Routes['rotateKey']> = (input, agent) =>
  input.passphrase === undefined
    ? agent.keyChange.rotateDataKey(undefined)
    : agent.withPassphrase(input.passphrase, (passphrase) => agent.keyChange.rotateDataKey(passphrase))
