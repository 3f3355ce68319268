// GET /v1/secrets: metadata of every live secret (with includeDeleted, deleted ones too). Never a value.
import type {Routes} from '../../api/contract.js'
import {flag, type Handler} from './types.js'

export const listSecrets: Handler<Routes['listSecrets']> = async (input, agent) => {
  await agent.deployments.refresh()
  return agent.secrets.list(flag(input.includeDeleted))
}
