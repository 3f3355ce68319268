// GET /v1/deployments/:id/logs: the container's output as frames, every injected value redacted.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const logs: Handler<Routes['logs']> = (input, agent) => agent.deployments.logs(input.id, input.follow ?? false)
