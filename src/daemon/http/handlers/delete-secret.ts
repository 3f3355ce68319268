// DELETE /v1/secrets/:name: soft delete (ciphertext destroyed, metadata kept); refused while in use unless force.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const deleteSecret: Handler<Routes['deleteSecret']> = async (input, agent) => {
  return agent.secrets.delete(input.name, input.force ?? false, input.app)
}
