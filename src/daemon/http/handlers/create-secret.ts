// POST /v1/secrets: create a secret, or replace a live one's whole bundle (version + 1).
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const createSecret: Handler<Routes['createSecret']> = async (input, agent) => {
  return agent.secrets.create(input)
}
