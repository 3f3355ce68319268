// POST /v1/deployments/:id/terminate: stop and remove the container; state terminated.
import type {Routes} from '../../api/contract.js'
import type {Handler} from './types.js'

export const terminate: Handler<Routes['terminate']> = (input, agent) => agent.deployments.terminate(input.id)
