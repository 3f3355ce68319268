// The CLI side of Swarm deployments: the one-line notice about env values in a service spec, and
// waiting until every replica of a service runs its deployment's current revision.
import {type DeploymentDetail, routes} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {AgentClient} from '../client/client.js'

export const SWARM_ENV_NOTICE =
  'Note: --secret (env) values are in the Swarm service spec, readable with `docker service inspect` by anyone with access to a manager; --secret-file (Swarm secrets) is the safer choice on a cluster.'

const POLL_MS = 1000

/** Task states after which a task will never run. */
const DEAD_TASK = ['rejected', 'failed', 'orphaned', 'remove']

/**
 * Polls the deployment until every desired replica runs its current revision (resolves with it),
 * or some current task has died with an error and none runs (HushError launch_failed, the task error).
 */
export async function waitForReplicas(client: AgentClient, id: string): Promise<DeploymentDetail> {
  for (;;) {
    const detail = await client.call(routes.getDeployment, {id})
    const tasks = detail.tasks ?? []
    const current = tasks.filter((task) => task.revision === detail.revision)
    const running = current.filter((task) => task.state === 'running').length
    if (detail.state === 'terminated') throw new HushError('launch_failed', `${id} was terminated while waiting.`)
    if (detail.replicas && running >= detail.replicas.desired) return detail
    const dead = current.find((task) => DEAD_TASK.includes(task.state) && task.error)
    if (dead && running === 0) {
      throw new HushError(
        'launch_failed',
        `${id}: task ${dead.id.slice(0, 12)}${dead.node ? ` on ${dead.node}` : ''} ${dead.state}: ${dead.error}`,
        {deployment: id},
      )
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
