// GET /v1/keyring: where the master key comes from, checked now (`daemon status`, `doctor`).
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const keyringStatus: Handler<Routes['keyringStatus']> = (_input, agent) => agent.keyLifecycle.keyringStatus()
