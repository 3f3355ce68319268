// When a Swarm service has converged on a revision, and which task states are dead: one rule for
// the agent (the state it records for a service, the wait after a rollback) and the CLI (the wait
// after `submit --swarm`).
import type {SwarmTask} from '../routes/deployments.js'

/** Task states after which a task never runs. */
const DEAD_TASK_STATES = ['rejected', 'failed', 'orphaned', 'remove']

export function isDeadTask(task: Pick<SwarmTask, 'state'>): boolean {
  return DEAD_TASK_STATES.includes(task.state)
}

/**
 * A service's current tasks as a hush state: running once every desired replica runs `revision`
 * (and no task of another revision runs), failed once none runs and a task has died, else starting.
 */
export function convergence(
  tasks: readonly SwarmTask[],
  desired: number,
  revision: number,
): 'starting' | 'running' | 'failed' {
  const running = tasks.filter((task) => task.state === 'running')
  if (running.length >= desired && running.every((task) => task.revision === revision)) return 'running'
  if (running.length === 0 && tasks.some(isDeadTask)) return 'failed'
  return 'starting'
}

/** A task of `revision` that died with an error, the one that says why a service failed. */
export function deadTask(tasks: readonly SwarmTask[], revision: number): SwarmTask | undefined {
  return tasks.find((task) => task.revision === revision && isDeadTask(task) && task.error)
}
