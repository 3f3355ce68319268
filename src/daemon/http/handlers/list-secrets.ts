// GET /v1/secrets: metadata of every live secret (with includeDeleted, deleted ones too; `app` or
// `shared` filter by scope). Never a value.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const listSecrets: Handler<Routes['listSecrets']> = async (input, agent) => {
  const scope = input.app !== undefined && input.app !== '' ? input.app : input.shared ? null : undefined
  return agent.secrets.list(input.includeDeleted ?? false, scope)
}
