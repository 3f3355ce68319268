// GET /v1/audit: the event log (names, keys, versions, deployment ids; never a value).
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const audit: Handler<Routes['audit']> = (input, agent) => {
  // The schema keeps `limit` a whole number from 1 to 100000.
  return agent.store.audit(input.limit ?? 1000)
}
