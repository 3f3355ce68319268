// POST /v1/seal: passphrase mode; wipes the data key from memory at once.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const seal: Handler<Routes['seal']> = (_input, agent) => agent.keyLifecycle.seal()
