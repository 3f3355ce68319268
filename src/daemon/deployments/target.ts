// What service.ts asks of a launch target (`Target`): where a deployment runs, the local docker
// engine (local-target.ts) or Docker Swarm (swarm-target.ts). Records, resolution, intent, audit
// and usage stay in service.ts, shared by every target; targets.ts lists them by name.
import type {DeploymentInfo} from '../../api/contract.js'
import type {DeploymentTarget} from '../../api/rules/run-options.js'
import type {DeploymentRow} from '../store/deployments-table.js'
import type {LogSource} from './log-stream.js'
import type {ResolvedEnv} from './resolve-env.js'

/** How long a deployment gets to stop after SIGTERM (docker stop's own default). */
export const DEFAULT_GRACE_SECONDS = 10

/** What a launch made: a container or a service, and the state the target already knows. */
export interface Launched {
  containerId?: string
  serviceId?: string
  /** Absent: running when it replaced a previous revision, starting when new. */
  state?: 'starting' | 'running'
}

/**
 * The deployments a state read leaves to their launch: those this agent was launching when the
 * read began, or launches now.
 */
export type Launching = (id: string) => boolean

/** What `status` shows of a deployment that only its target knows (a service's replicas, tasks, update). */
export type TargetDetail = Pick<DeploymentInfo, 'serviceId' | 'replicas' | 'tasks' | 'update'>

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
  /**
   * After a launch that replaced `previous` (a rolling target) is recorded: what only `previous`
   * needed goes. Never throws (what it misses, `collect` finds later).
   */
  replaced?(previous: DeploymentRow, launching: Launching): Promise<void>
  /** After a failed launch: removes what it made; resolves `false` when something may be left (the record stays, failed). */
  undo(row: DeploymentRow, isNew: boolean, error: unknown): Promise<unknown>
  /** Stops and removes what the deployment runs. */
  terminate(row: DeploymentRow, graceSeconds: number): Promise<void>
  /**
   * Reconciles the records of this target with docker: what no record owns goes, what a launch
   * made but could not record (the agent died) is adopted, the records take docker's states.
   * Deployments `launching` are left to their launch.
   */
  refresh(launching: Launching, adopt: (launched: DeploymentRow) => void): Promise<void>
  /**
   * A rolling target: the revision `row` runs once no rolling update is under way; null when
   * nothing runs it any more; undefined while an update runs or docker cannot say.
   */
  settledRevision?(row: DeploymentRow): Promise<number | null | undefined>
  /**
   * Removes what the target keeps beside its deployments that none needs any more (after a
   * terminate, a failed launch, a state read, at agent start). Never throws.
   */
  collect?(launching: Launching): Promise<void>
  /** When the agent should read the state of `row` on its own (epoch ms), if ever. */
  readAgainAt?(row: DeploymentRow): number | undefined
  /** What `status` shows of `row` besides its record (from the last state read). */
  detail?(row: DeploymentRow): TargetDetail
  /** The id of what `row` runs as, whose output `logs` reads (a container or a service); null: none. */
  runsAs(row: DeploymentRow): string | null
  /** The output of `source` (what `runsAs` named) of `row`. */
  logSource(source: string, follow: boolean, row: DeploymentRow): LogSource
}

/** Every target by the name its records give (targets.ts builds them; service.ts is handed them). */
export type Targets = Readonly<Record<DeploymentTarget, Target>>
