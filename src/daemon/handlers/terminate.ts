// POST /v1/deployments/:id/terminate: stop (SIGTERM, then SIGKILL after the grace) and remove the container.
import type {Routes} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import type {Handler} from './types.js'

export const terminate: Handler<Routes['terminate']> = (input, agent) => {
  const grace = input.grace
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0 || grace > 3600)) {
    throw new HushError('bad_request', '`grace` must be a whole number of seconds from 0 to 3600.')
  }
  return agent.deployments.terminate(input.id, grace)
}
