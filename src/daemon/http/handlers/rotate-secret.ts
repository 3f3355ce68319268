// POST /v1/secrets/:name/rotate: new values for some keys, the others kept (version + 1).
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const rotateSecret: Handler<Routes['rotateSecret']> = async (input, agent) => {
  return agent.secrets.rotate(input)
}
