// POST /v1/deployments/:id/resubmit: fresh values first (fail fast), then a new container; revision + 1.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const resubmit: Handler<Routes['resubmit']> = (input, agent) => agent.deployments.resubmit(input.id)
