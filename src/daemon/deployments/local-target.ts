// The local target of deployments: running a deployment as a container (`docker run`, its file
// secrets as bind-mounted files), replacing it with the next revision, reconciling the store's
// labelled containers with the records, terminating it, and its output. Resolution, records,
// audit and usage stay in service.ts, shared with Swarm services.
import type {DeploymentState} from '../../api/contract.js'
import {TERMINAL_STATES} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {isSession} from '../../api/rules/run-options.js'
import type {HushPaths} from '../../config/paths.js'
import {
  type ContainerState,
  checkLaunchable,
  dockerListStore,
  dockerRemove,
  dockerRemoveRevision,
  dockerRun,
  dockerStartFailure,
  dockerStop,
  type StoreContainer,
} from '../docker/containers.js'
import {removeSecretFiles, writeSecretFiles} from '../docker/secret-files.js'
import type {Logger} from '../process/log.js'
import type {DeploymentRow, DeploymentsStore} from '../store/deployments-table.js'
import {containerLogSource, type LogSource} from './log-stream.js'
import {withFileEnv} from './parts.js'
import type {ResolvedEnv} from './resolve-env.js'
import {DEFAULT_GRACE_SECONDS, type Launched, type Launching, type Target} from './target.js'

/** How long a session's container may wait, created, for someone to attach to it (`submit -it` does at once). */
export const DEFAULT_SESSION_START_SECONDS = 60

/** The session start window: HUSH_SESSION_START_SECONDS in the agent's environment, else the default. */
export function sessionStartSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.HUSH_SESSION_START_SECONDS
  return given !== undefined && /^\d{1,6}$/.test(given) ? Number(given) : DEFAULT_SESSION_START_SECONDS
}

/** A live session still waiting, created, for its attach. */
function isWaitingSession(row: DeploymentRow): boolean {
  return row.target === 'local' && isSession(row.options) && row.state === 'starting' && row.containerId !== null
}

function now(): string {
  return new Date().toISOString()
}

function isLive(state: DeploymentState): boolean {
  return !TERMINAL_STATES.includes(state)
}

/** docker's view of a container as a hush state. */
function stateOf(container: ContainerState | undefined): {state: DeploymentState; exitCode: number | null} {
  if (!container) return {state: 'failed', exitCode: null}
  if (container.status === 'created') return {state: 'starting', exitCode: null}
  if (container.running || ['running', 'paused', 'restarting'].includes(container.status)) {
    return {state: 'running', exitCode: null}
  }
  return {state: container.exitCode === 0 ? 'exited' : 'failed', exitCode: container.exitCode}
}

/** The docker side of a local deployment; service.ts calls it with the records it keeps. */
export class LocalTarget implements Target {
  readonly rolling = false

  constructor(
    private readonly storeId: () => string,
    private readonly records: DeploymentsStore,
    private readonly paths: HushPaths,
    private readonly log: Logger,
  ) {}

  /** Checks, before anything is recorded, that docker can carry the values. */
  async check(resolved: ResolvedEnv): Promise<void> {
    checkLaunchable(resolved.entries)
  }

  /** Stops and removes the previous revision's container (while it fails, it stays the recorded one). */
  async retire(previous: DeploymentRow): Promise<void> {
    if (!previous.containerId) return
    if (isLive(previous.state)) await dockerStop(previous.containerId, DEFAULT_GRACE_SECONDS, previous.context)
    await dockerRemove(previous.containerId, previous.context)
  }

  /** Writes the revision's secret files and runs its container. */
  async launch(row: DeploymentRow, resolved: ResolvedEnv): Promise<Launched> {
    const files = writeSecretFiles(this.paths, row.id, row.revision, resolved.files, row.files, row.options.user)
    const containerId = await dockerRun(this.paths, {
      id: row.id,
      revision: row.revision,
      storeId: this.storeId(),
      name: row.name,
      image: row.image,
      command: row.command,
      options: row.options,
      context: row.context,
      env: withFileEnv(resolved.entries, files.env),
      mounts: files.mounts,
      redact: [...resolved.files, ...resolved.parts].map((item) => item.value),
    })
    // A session's container is created, not started: the CLI starts it attached.
    return {containerId, state: isSession(row.options) ? 'starting' : 'running'}
  }

  /** The previous revision's files went with its container. */
  settle(row: DeploymentRow): void {
    removeSecretFiles(this.paths, row.id, {keep: row.revision})
  }

  /**
   * After a failed `docker run`: the container docker created but could not start (its config
   * holds the values) goes first, then the files. Returns whether nothing can be left: every
   * such container removed, or docker never reached an engine (no CLI, no engine answering), so
   * it created nothing.
   */
  async undo(intent: DeploymentRow, _isNew: boolean, runError: unknown): Promise<boolean> {
    const unreachable = runError instanceof HushError && runError.code === 'docker_unavailable'
    let removedAll = true
    try {
      const removed = await dockerRemoveRevision(this.storeId(), intent.id, intent.revision, intent.context)
      if (removed) this.log.warn(`removed ${removed} container(s) docker created for ${intent.id} but could not start`)
    } catch (error) {
      // Kept as a failed record: the next state read still looks for its container and removes it.
      removedAll = false
      this.log.warn(`cannot remove the failed container of ${intent.id}: ${(error as Error).message}`)
    }
    removeSecretFiles(this.paths, intent.id)
    return removedAll || unreachable
  }

  /** Stops the container (SIGTERM, SIGKILL after `graceSeconds`) and removes it. */
  async terminate(row: DeploymentRow, graceSeconds: number): Promise<void> {
    if (row.containerId) {
      if (isLive(row.state)) await dockerStop(row.containerId, graceSeconds, row.context)
      await dockerRemove(row.containerId, row.context)
    }
  }

  /**
   * A waiting session: when its start window ends, so a session nobody attached to is removed
   * without anyone asking (see endUnstartedSessions).
   */
  readAgainAt(row: DeploymentRow): number | undefined {
    return isWaitingSession(row) ? Date.parse(row.updatedAt) + sessionStartSeconds() * 1000 : undefined
  }

  /** A deployment runs as its container. */
  runsAs(row: DeploymentRow): string | null {
    return row.containerId
  }

  /** `docker logs` of the container, waiting on `docker wait` for its end. */
  logSource(containerId: string, follow: boolean, row: DeploymentRow): LogSource {
    return containerLogSource(containerId, follow, row.context)
  }

  /**
   * One pass over the store's labelled containers (`docker ps -a`): each must be the recorded
   * container, or the one of the recorded revision of a deployment not terminated (adopted: a
   * launch whose agent died before recording it), else it is removed (no record, a previous
   * revision, terminated, created but never started). Then the live records take docker's states.
   * Deployments `launching` (this agent's launches) are left to their launch.
   */
  async refresh(launching: Launching, adopt: (launched: DeploymentRow) => void): Promise<void> {
    const before = new Map(
      this.records
        .live()
        .filter((row) => row.target === 'local')
        .map((row) => [row.id, row]),
    )
    // One `docker ps -a` per engine: the agent's own, and each docker context a live deployment is on.
    // An engine that does not answer leaves its deployments' records as they are.
    const containers: (StoreContainer & {context: string | null})[] = []
    const reached = new Set<string | null>()
    for (const context of new Set([null, ...[...before.values()].map((row) => row.context)])) {
      try {
        for (const found of await dockerListStore(this.storeId(), context)) containers.push({...found, context})
        reached.add(context)
      } catch (error) {
        // Without docker nothing can have been launched: only a store with live deployments there cares.
        if ([...before.values()].some((row) => row.context === context))
          this.log.warn(
            `cannot read deployment states from docker${context ? ` (context ${context})` : ''}: ${(error as Error).message}`,
          )
      }
    }
    const present = new Map<string, ContainerState>()
    for (const container of containers) {
      if (launching(container.deployment)) continue
      const row = this.records.get(container.deployment)
      const verdict = containerVerdict(row, container, (id) => containers.some((other) => other.id === id))
      if (verdict === 'foreign') continue
      if (verdict === 'keep') present.set(container.id, container.state)
      else if (verdict === 'adopt' && row) {
        this.adopt(row, container, adopt)
        present.set(container.id, container.state)
      } else {
        try {
          await dockerRemove(container.id, container.context)
          this.log.warn(`removed container ${container.id.slice(0, 12)} of ${container.deployment || '?'}: ${verdict}`)
        } catch (error) {
          this.log.warn(`cannot remove container ${container.id.slice(0, 12)}: ${(error as Error).message}`)
        }
      }
    }
    const at = now()
    for (const row of this.records.live()) {
      if (row.target !== 'local') continue
      const seen = before.get(row.id)
      // Skip a record that changed during the pass (launched, resubmitted or terminated meanwhile).
      if (launching(row.id) || !reached.has(row.context)) continue
      if (!seen || seen.containerId !== row.containerId || seen.revision !== row.revision) continue
      const {state, exitCode} = stateOf(row.containerId ? present.get(row.containerId) : undefined)
      if (state !== row.state || exitCode !== row.exitCode) this.records.setState(row.id, state, exitCode, at)
      // A container that stopped needs its secret files no more (only its revision's: a resubmit
      // may be writing the next one).
      if (!isLive(state) && row.files.length > 0) {
        removeSecretFiles(this.paths, row.id, {only: row.revision})
      }
    }
    await this.endUnstartedSessions(launching)
  }

  /**
   * A session's container holds the values in its config from its creation: one whose start
   * failed (the CLI's `docker start --attach`), or that nobody attached to within the start window
   * (an API client asking for `interactive`, a CLI killed first), is removed and its deployment
   * failed, with docker's exit code when it tried.
   */
  private async endUnstartedSessions(launching: Launching): Promise<void> {
    const windowMs = sessionStartSeconds() * 1000
    for (const row of this.records.live()) {
      if (!isWaitingSession(row) || launching(row.id) || !row.containerId) continue
      const failure = await dockerStartFailure(row.containerId, row.context)
      const expired = Date.now() - Date.parse(row.updatedAt) >= windowMs
      if (!failure && !expired) continue
      const current = this.records.get(row.id)
      if (launching(row.id) || current?.containerId !== row.containerId || current.state !== 'starting') continue
      try {
        await dockerRemove(row.containerId, row.context)
      } catch (error) {
        this.log.warn(`cannot remove the unstarted session container of ${row.id}: ${(error as Error).message}`)
        continue
      }
      removeSecretFiles(this.paths, row.id)
      this.records.fail(row.id, failure?.exitCode ?? null, now())
      this.log.warn(
        failure
          ? `session ${row.id} could not start (docker exit code ${failure.exitCode ?? '?'}): its container is removed`
          : `session ${row.id} was not attached within ${windowMs / 1000} s: its container is removed`,
      )
    }
  }

  /** Records a container of the recorded revision that its launch could not record (the agent died). */
  private adopt(row: DeploymentRow, container: StoreContainer, record: (launched: DeploymentRow) => void): void {
    const {state, exitCode} = stateOf(container.state)
    record({...row, containerId: container.id, state, exitCode, updatedAt: now()})
    this.log.warn(`adopted container ${container.id.slice(0, 12)} of ${row.id} revision ${row.revision}`)
  }
}

/**
 * What reconciliation does with one of the store's containers: `keep` the recorded one, `adopt`
 * the one of the recorded revision that no record names yet, leave a `foreign` one (of a
 * deployment id never recorded here) alone, else the reason it is removed.
 */
function containerVerdict(
  row: DeploymentRow | undefined,
  container: StoreContainer,
  exists: (containerId: string) => boolean,
): 'keep' | 'adopt' | string {
  // A deployment id this store never recorded is not its own (a copy of the store, restored
  // elsewhere, made it): never removed, and nothing of it is recorded.
  if (!row) return 'foreign'
  if (row.state === 'terminated') return 'its deployment is terminated'
  if (row.containerId === container.id) return 'keep'
  if (container.revision !== row.revision)
    return `it belongs to revision ${container.revision ?? '?'}, not ${row.revision}`
  if (container.state.status === 'created') return 'docker created it but it never started'
  if (row.containerId && exists(row.containerId)) return 'its deployment already has a container'
  return 'adopt'
}
