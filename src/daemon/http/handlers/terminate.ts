// POST /v1/deployments/:id/terminate: stop (SIGTERM, then SIGKILL after the grace) and remove the container.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const terminate: Handler<Routes['terminate']> = (input, agent) =>
  agent.deployments.terminate(input.id, input.grace)
