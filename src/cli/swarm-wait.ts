// The CLI side of Swarm deployments: the one-line notice about env values in a service spec, and
// waiting until every replica of a service runs its deployment's current revision.
import type {DeploymentDetail} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {convergence, deadTask} from '../api/rules/swarm-convergence.js'
import type {HushClient} from '../client/hush-client.js'

export const SWARM_ENV_NOTICE =
  'Note: --secret (env) values are in the Swarm service spec, readable with `docker service inspect` by anyone with access to a manager; --secret-file (Swarm secrets) is the safer choice on a cluster.'

const POLL_MS = 1000

/**
 * Polls the deployment until its service has converged on its current revision (resolves with it),
 * or has failed, a task of that revision having died with an error (HushError launch_failed, the
 * task error): the rule is api/rules/swarm-convergence.ts.
 */
export async function waitForReplicas(hush: HushClient, id: string): Promise<DeploymentDetail> {
  for (;;) {
    const detail = await hush.status(id)
    const tasks = detail.tasks ?? []
    if (detail.state === 'terminated') throw new HushError('launch_failed', `${id} was terminated while waiting.`)
    const state = detail.replicas ? convergence(tasks, detail.replicas.desired, detail.revision) : 'starting'
    if (state === 'running') return detail
    const dead = state === 'failed' ? deadTask(tasks, detail.revision) : undefined
    if (dead) {
      throw new HushError(
        'launch_failed',
        `${id}: task ${dead.id.slice(0, 12)}${dead.node ? ` on ${dead.node}` : ''} ${dead.state}: ${dead.error}`,
        {deployment: id},
      )
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
