// GET /v1/deployments/:id: one deployment in full (state read from docker).
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const getDeployment: Handler<Routes['getDeployment']> = (input, agent) => agent.deployments.get(input.id)
