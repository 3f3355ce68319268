// POST /v1/init/change-passphrase: passphrase mode; the data key re-wrapped under a new passphrase.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const changePassphrase: Handler<Routes['changePassphrase']> = (input, agent) =>
  agent.withPassphrase(input.passphrase, (current) =>
    agent.withPassphrase(input.newPassphrase, (next) => agent.keyChange.changePassphrase(current, next)),
  )
