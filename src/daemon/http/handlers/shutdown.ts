// POST /v1/shutdown: the agent answers, then stops (used by `hush daemon stop` and on a version change).
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const shutdown: Handler<Routes['shutdown']> = (_input, agent) => {
  setImmediate(agent.requestShutdown)
  return {stopping: true}
}
