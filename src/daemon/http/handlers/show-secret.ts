// GET /v1/secrets/:name: one secret in full, with the live deployments that use it and the
// version each runs. Never a value.
import type {Routes, SecretUser} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const showSecret: Handler<Routes['showSecret']> = async (input, agent) => {
  const secret = agent.secrets.show(input.name, input.app, input.includeDeleted ?? false)
  const users = new Set(secret.usedBy)
  const deployments: SecretUser[] = agent.deployments
    .list()
    .filter((deployment) => users.has(deployment.id))
    .map((deployment) => {
      const injected = deployment.secrets.find((item) => item.name === secret.name && (item.app ?? null) === secret.app)
      const version = injected?.version ?? null
      return {id: deployment.id, name: deployment.name, version, stale: version !== null && version < secret.version}
    })
  return {...secret, deployments}
}
