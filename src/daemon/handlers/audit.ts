// GET /v1/audit: the event log (names, keys, versions, deployment ids; never a value).
import type {Routes} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import type {Handler} from './types.js'

export const audit: Handler<Routes['audit']> = (input, agent) => {
  const limit = input.limit === undefined ? 1000 : Number(input.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
    throw new HushError('bad_request', '`limit` must be a whole number from 1 to 100000.')
  }
  return agent.store.audit(limit)
}
