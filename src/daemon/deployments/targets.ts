// The targets of deployments by the name a record gives (`DeploymentTarget`), built once by the
// composition root (agent.ts) and handed to the deployments service. A new target is one file
// beside local-target.ts and swarm-target.ts, and one line here.
import type {HushPaths} from '../../config/paths.js'
import type {Logger} from '../process/log.js'
import type {DeploymentsStore} from '../store/deployments-table.js'
import {LocalTarget} from './local-target.js'
import {SwarmTarget} from './swarm-target.js'
import type {Targets} from './target.js'

export function deploymentTargets(
  storeId: () => string,
  records: DeploymentsStore,
  paths: HushPaths,
  log: Logger,
): Targets {
  return {
    local: new LocalTarget(storeId, records, paths, log),
    swarm: new SwarmTarget(storeId, records, paths, log),
  }
}
