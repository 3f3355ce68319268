// GET /v1/store: the store as `doctor` shows it: id, schema version, how many secrets and deployments.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const storeStatus: Handler<Routes['storeStatus']> = (_input, agent) => ({
  storeId: agent.store.storeId,
  schemaVersion: agent.store.schemaVersion(),
  secrets: agent.store.list(false).length,
  deployments: agent.deployments.records.list().length,
})
