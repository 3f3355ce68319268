// The Swarm target of deployments: launching a deployment as a service (its file secrets as
// versioned Swarm secrets), rolling it to a new revision with rollback, reading its replicas and
// tasks, terminating it, and removing the store's Swarm secrets that nothing uses. Resolution,
// records, audit and usage stay in service.ts, shared with local containers.
import {HushError} from '../../api/errors.js'
import {type SecretFileSpec, secretFilePath} from '../../api/rules/secret-file-spec.js'
import {convergence} from '../../api/rules/swarm-convergence.js'
import type {HushPaths} from '../../config/paths.js'
import {checkLaunchable, type EnvEntry} from '../docker/containers.js'
import {fileOwner} from '../docker/secret-files.js'
import {
  checkSwarmManager,
  checkSwarmSecretSize,
  createSwarmSecret,
  inspectService,
  LABEL_SECRET_ID,
  listStoreServices,
  listSwarmSecrets,
  removeSwarmSecret,
  type SecretMount,
  type ServiceSpec,
  type ServiceView,
  serviceCreate,
  serviceLogs,
  serviceRemove,
  serviceUpdate,
  swarmSecretName,
  updateBase,
  updateSettled,
  waitForUpdate,
} from '../docker/services.js'
import type {Logger} from '../process/log.js'
import type {DeploymentRow, DeploymentsStore} from '../store/deployments-table.js'
import type {LogSource} from './log-stream.js'
import {withFileEnv} from './parts.js'
import type {ResolvedEnv} from './resolve-env.js'
import type {Launching, Target, TargetDetail} from './target.js'

/** How long a rolled-back service's previous revision is waited for, and how often it is read. */
const ROLLBACK_SETTLE_MS = 30_000
const ROLLBACK_POLL_MS = 250

/** A service's state as a hush state (api/rules/swarm-convergence.ts); a service gone is failed. */
function serviceState(view: ServiceView | undefined, revision: number): 'starting' | 'running' | 'failed' {
  return view ? convergence(view.tasks, view.desired, revision) : 'failed'
}

/** One Swarm secret a revision mounts: its name, what it holds, and where it goes. */
interface PlannedSecret {
  mount: SecretMount
  of: {storeId: string; name: string; secretId: number; version: number; key: string}
  value: Uint8Array
}

/** The Swarm secrets a record's file secrets are (names only: for usage and removal). */
export function swarmSecretNames(storeId: string, row: DeploymentRow): string[] {
  return row.injected
    .filter((item) => item.mount === 'file')
    .flatMap((item) =>
      item.keys.map((key) =>
        swarmSecretName({storeId, name: item.name, secretId: item.secretId, version: item.version, key}),
      ),
    )
}

/** The docker side of a Swarm deployment; service.ts calls it with the records it keeps. */
export class SwarmTarget implements Target {
  /** The last view of each deployment's service (what `status` shows of replicas and tasks). */
  private readonly views = new Map<string, ServiceView>()
  /** A new revision rolls over the previous one (`docker service update`). */
  readonly rolling = true

  constructor(
    private readonly storeId: () => string,
    private readonly records: DeploymentsStore,
    private readonly paths: HushPaths,
    private readonly log: Logger,
  ) {}

  /** The service, its replicas, tasks and update, as the last state read (or launch) saw them. */
  detail(row: DeploymentRow): TargetDetail {
    return serviceDetail(row, this.views.get(row.id))
  }

  /** Checks, before anything is recorded, that the engine is a manager and that Swarm can carry the values. */
  async check(resolved: ResolvedEnv): Promise<void> {
    await checkSwarmManager()
    checkLaunchable(resolved.entries)
    for (const file of resolved.files) checkSwarmSecretSize(file.key, file.value)
  }

  /** The Swarm secrets and env of the recorded intent `row` with its resolved values. */
  private plan(row: DeploymentRow, resolved: ResolvedEnv): {secrets: PlannedSecret[]; spec: ServiceSpec} {
    const specs = new Map<string, SecretFileSpec>(row.files.map((spec) => [spec.name, spec]))
    const storeId = this.storeId()
    const secrets: PlannedSecret[] = []
    const fileEnv: EnvEntry[] = []
    for (const file of resolved.files) {
      const item = row.injected.find((injected) => injected.mount === 'file' && injected.name === file.secret)
      if (!item) continue
      const spec = specs.get(file.secret) ?? {name: file.secret}
      const of = {storeId, name: item.name, secretId: item.secretId, version: item.version, key: file.key}
      const owner = fileOwner(spec, row.options.user)
      const target = secretFilePath(spec, file.key)
      secrets.push({
        of,
        value: file.value,
        mount: {
          source: swarmSecretName(of),
          target,
          ...(owner && owner.uid >= 0 ? {uid: owner.uid} : {}),
          ...(owner && owner.gid >= 0 ? {gid: owner.gid} : {}),
          mode: spec.mode ?? 0o400,
        },
      })
      if (spec.env) fileEnv.push({key: `${file.key}_FILE`, value: Buffer.from(target)})
    }
    const spec: ServiceSpec = {
      id: row.id,
      revision: row.revision,
      storeId,
      name: row.name,
      image: row.image,
      command: row.command,
      options: row.options,
      env: withFileEnv(resolved.entries, fileEnv),
      secrets: secrets.map((secret) => secret.mount),
      redact: [...resolved.files, ...resolved.parts, ...resolved.entries.filter((e) => e.secret)].map(
        (item) => item.value,
      ),
    }
    return {secrets, spec}
  }

  /**
   * Launches the recorded intent `row`: its Swarm secrets (values on stdin), then the service
   * (`previous` absent) or a rolling update of `previous`'s service, waited for. Returns the
   * service id and, after an update, the tasks. A rollback throws `rolled_back`.
   */
  async launch(row: DeploymentRow, resolved: ResolvedEnv, previous?: DeploymentRow): Promise<{serviceId: string}> {
    const {secrets, spec} = this.plan(row, resolved)
    for (const secret of secrets) await createSwarmSecret(secret.mount.source, secret.of, secret.value)
    if (!previous?.serviceId) {
      const serviceId = await serviceCreate(this.paths, spec)
      return {serviceId}
    }
    const serviceId = previous.serviceId
    const before = await updateBase(serviceId)
    if (!before) {
      throw new HushError('launch_failed', `The Swarm service of ${row.id} is gone: terminate it and submit again.`, {
        deployment: row.id,
      })
    }
    await serviceUpdate(serviceId, before, spec)
    let after = await waitForUpdate(serviceId, before.updateStartedAt)
    const state = after?.update.state ?? null
    if (state === 'rollback_completed') after = await this.rolledBack(serviceId, previous.revision, after)
    if (after) this.views.set(row.id, after)
    if (state !== 'completed') {
      throw new HushError(
        'rolled_back',
        `The rolling update of ${row.id} to revision ${row.revision} failed and was rolled back${after?.update.message ? ` (${after.update.message})` : ''}: revision ${previous.revision} keeps running and stays STALE. See \`hush status ${row.id}\` and \`hush logs ${row.id}\`.`,
        {deployment: row.id, tasks: after?.tasks ?? []},
      )
    }
    return {serviceId}
  }

  /**
   * After a rollback: docker says `rollback_completed` once it has replaced the tasks, before the
   * replacements run. Waits (at most ROLLBACK_SETTLE_MS) until every replica runs `revision` again,
   * so the rolled_back answer and the next `status` say the same; the last view either way.
   */
  private async rolledBack(serviceId: string, revision: number, view: ServiceView | undefined) {
    const deadline = Date.now() + ROLLBACK_SETTLE_MS
    let current = view
    while (current && serviceState(current, revision) !== 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, ROLLBACK_POLL_MS))
      current = await inspectService(serviceId).catch(() => current)
    }
    return current
  }

  /** After a failed launch: the service of a new deployment (when docker made one) goes. */
  async undo(row: DeploymentRow, isNew: boolean): Promise<void> {
    if (!isNew) return
    try {
      for (const service of await listStoreServices(this.storeId()))
        if (service.deployment === row.id) await serviceRemove(service.id)
    } catch (error) {
      this.log.warn(`cannot remove the service of ${row.id}: ${(error as Error).message}`)
    }
  }

  /** A deployment runs as its service. */
  runsAs(row: DeploymentRow): string | null {
    return row.serviceId
  }

  /** `docker service logs` of the service (following: until the service goes). */
  logSource(serviceId: string, follow: boolean): LogSource {
    return {child: serviceLogs(serviceId, follow), stopped: async () => undefined}
  }

  /** Removes the service (its tasks stop); its Swarm secrets go with `collect`. */
  async terminate(row: DeploymentRow): Promise<void> {
    if (row.serviceId) await serviceRemove(row.serviceId)
    this.views.delete(row.id)
  }

  /**
   * The revision the service runs once no rolling update is under way: its spec's hush.revision
   * (after a rollback, the previous one); null when the service is gone (or was never made);
   * undefined while an update runs or docker cannot say.
   */
  async settledRevision(row: DeploymentRow): Promise<number | null | undefined> {
    if (!row.serviceId) return null
    const view = await inspectService(row.serviceId).catch(() => 'unknown' as const)
    if (view === undefined) return null
    if (view === 'unknown' || !updateSettled(view)) return undefined
    return view.revision ?? undefined
  }

  /**
   * One pass over the store's services: a service of a terminated deployment is removed (one of a
   * deployment id never recorded here is left alone); one a record launched but could not record (the agent died) is adopted. Then the
   * records not being launched take their services' states.
   */
  async refresh(launching: Launching, adopt: (launched: DeploymentRow) => void): Promise<void> {
    let services: Awaited<ReturnType<typeof listStoreServices>>
    try {
      services = await listStoreServices(this.storeId())
    } catch (error) {
      this.log.warn(`cannot read Swarm services: ${(error as Error).message}`)
      return
    }
    for (const service of services) {
      if (launching(service.deployment)) continue
      const row = this.records.get(service.deployment)
      // A deployment id this store never recorded is not its own (a copy of the store made it).
      if (!row) continue
      if (row.state === 'terminated') {
        await serviceRemove(service.id).catch(() => undefined)
        this.log.warn(
          `removed Swarm service ${service.id.slice(0, 12)} of ${service.deployment}: its deployment is terminated`,
        )
      } else if (row.serviceId === null) {
        adopt({...row, serviceId: service.id, state: 'starting', updatedAt: new Date().toISOString()})
        this.log.warn(`adopted Swarm service ${service.id.slice(0, 12)} of ${row.id}`)
      }
    }
    const at = new Date().toISOString()
    for (const row of this.records.list()) {
      if (row.target !== 'swarm' || row.state === 'terminated' || launching(row.id)) continue
      const view = row.serviceId ? await inspectService(row.serviceId).catch(() => undefined) : undefined
      if (view) this.views.set(row.id, view)
      else this.views.delete(row.id)
      const state = serviceState(view, row.revision)
      if (state !== row.state) this.records.setState(row.id, state, null, at)
    }
  }

  /**
   * Removes the store's Swarm secrets that no deployment needs: needed are the secrets of every
   * deployment not terminated that has a service or is being launched, and of the revision a
   * resubmit under way replaces (its service may still run it). docker itself refuses to remove a
   * secret a service still uses, so one in use is never removed. A failure is logged.
   */
  async collect(launching: Launching): Promise<void> {
    try {
      const needed = this.neededSecrets(launching)
      let removed = 0
      for (const [name, labels] of await listSwarmSecrets(this.storeId())) {
        if (needed.has(name) || labels[LABEL_SECRET_ID] === undefined) continue
        if (await removeSwarmSecret(name)) removed++
      }
      if (removed) this.log.info(`removed ${removed} Swarm secret(s) no deployment uses`)
    } catch (error) {
      this.log.warn(`cannot read Swarm secrets: ${(error as Error).message}`)
    }
  }

  /**
   * After a rolling update away from `previous`: removes its Swarm secrets that no deployment
   * needs, by name (one `docker secret rm` each, no listing), once its tasks are replaced. What
   * this misses (e.g. the agent died here), `collect` finds on the next state read or agent start.
   */
  async replaced(previous: DeploymentRow, launching: Launching): Promise<void> {
    try {
      const needed = this.neededSecrets(launching)
      for (const name of swarmSecretNames(this.storeId(), previous)) {
        if (!needed.has(name)) await removeSwarmSecret(name)
      }
    } catch (error) {
      this.log.warn(`cannot remove the previous Swarm secrets of ${previous.id}: ${(error as Error).message}`)
    }
  }

  /**
   * The Swarm secret names of every deployment not terminated that has a service or is being
   * launched, and of the revision a resubmit under way replaces (its service may still run it).
   */
  private neededSecrets(launching: Launching): Set<string> {
    const storeId = this.storeId()
    const live = this.records
      .list()
      .filter(
        (row) => row.target === 'swarm' && row.state !== 'terminated' && (row.serviceId !== null || launching(row.id)),
      )
    const replaced = live.flatMap((row) => this.records.previous(row.id)?.row ?? [])
    return new Set([...live, ...replaced].flatMap((row) => swarmSecretNames(storeId, row)))
  }
}

/** What `status` shows of a service: its replicas, tasks and update as VIEW saw them (none yet: what it asked for). */
export function serviceDetail(row: DeploymentRow, view: ServiceView | undefined): TargetDetail {
  return {
    serviceId: row.serviceId,
    replicas: {
      running: view?.tasks.filter((task) => task.state === 'running').length ?? 0,
      desired: view?.desired ?? Number(row.options.replicas ?? 1),
    },
    tasks: view?.tasks ?? [],
    update: view?.update ?? {state: null, message: null},
  }
}
