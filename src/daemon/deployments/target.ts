// What service.ts asks of a launch target (`Target`): the local docker engine
// (local-target.ts) or Docker Swarm (swarm-target.ts). Records, resolution, intent,
// audit and usage stay in service.ts, shared by both.
import type {DeploymentRow} from '../store/deployments-table.js'
import type {LogSource} from './log-stream.js'
import type {ResolvedEnv} from './resolve-env.js'

/** What a launch made: a container or a service, and the state the target already knows. */
export interface Launched {
  containerId?: string
  serviceId?: string
  /** Absent: running when it replaced a previous revision, starting when new. */
  state?: 'starting' | 'running'
}

/**
 * One target of deployments: check, launch, undo, terminate, reconcile (refresh), output.
 * service.ts records the intent before `launch` and the result after it.
 */
export interface Target {
  /**
   * true: a new revision rolls over the previous one, which runs until replaced (its record is
   * restored when the launch fails, and its copies are kept for its logs); false: the previous
   * revision's container goes first (`retire`).
   */
  readonly rolling: boolean
  /** Checks, before anything is recorded, that the target can carry the resolved values. */
  check(resolved: ResolvedEnv): Promise<void>
  /** Removes the previous revision's container before the new one runs (not for a rolling target). */
  retire?(previous: DeploymentRow): Promise<void>
  /** Runs the recorded intent `row` with its resolved values. */
  launch(row: DeploymentRow, resolved: ResolvedEnv, previous?: DeploymentRow): Promise<Launched>
  /** After a successful launch, before it is recorded. */
  settle?(row: DeploymentRow): void
  /** After a failed launch: removes what it made; resolves `false` when something may be left (the record stays, failed). */
  undo(row: DeploymentRow, isNew: boolean, error: unknown): Promise<unknown>
  /** Stops and removes what the deployment runs. */
  terminate(row: DeploymentRow, graceSeconds: number): Promise<void>
  /**
   * Reconciles the records with docker: what no record owns goes, what a launch made but could
   * not record (the agent died) is adopted, the records take docker's states. Deployments in
   * `launching` are left to their launch.
   */
  refresh(launching: ReadonlySet<string>, adopt: (launched: DeploymentRow) => void): Promise<void>
  /** The output of `source` (a container or service id) of `row`. */
  logSource(source: string, follow: boolean, row: DeploymentRow): LogSource
}
