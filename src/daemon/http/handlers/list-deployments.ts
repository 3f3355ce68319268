// GET /v1/deployments: every deployment with its state read from docker. Plain env only, never a secret value.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const listDeployments: Handler<Routes['listDeployments']> = (_input, agent) => agent.deployments.list()
