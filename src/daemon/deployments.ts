// Deployments: submit, resubmit, terminate, status and logs of the containers hush launched.
// A launch is recorded (versions and the values' encrypted copies) before `docker run`; every
// state read reconciles the record with the store's labelled containers (see `refreshFromDocker`),
// so whatever dies when, no container holding a value is unknown. It also tells the secrets side
// which deployments use a secret (SecretUsage).
import {randomBytes} from 'node:crypto'
import type {Readable} from 'node:stream'
import {
  type DeploymentDetail,
  type DeploymentInfo,
  type DeploymentState,
  type ResubmitOutput,
  type SubmitInput,
  type SubmitOutput,
  TERMINAL_STATES,
} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {isSession} from '../api/run-options.js'
import {secretFileName} from '../api/secret-file-spec.js'
import type {HushPaths} from '../config/paths.js'
import {findDeployment, LiveNames} from './deployment-lookup.js'
import {deploymentSecrets, shownKeys, usedSecrets, withFileEnv, withFileTargets} from './deployment-parts.js'
import {type DeploymentRow, DeploymentsStore} from './deployments-store.js'
import {checkContext} from './engine.js'
import {KeyedLock} from './keyed-lock.js'
import {
  type ContainerState,
  checkLaunchable,
  dockerListStore,
  dockerRemove,
  dockerRemoveRevision,
  dockerRun,
  dockerStop,
  removeLeftoverEnvFiles,
  type StoreContainer,
} from './launcher.js'
import type {Logger} from './log.js'
import {containerLogSource, redactedLogStream} from './log-stream.js'
import {formatSecretRef, type ResolvedEnv, resolveEnv, wipeResolved} from './resolve.js'
import {removeOrphanSecretFiles, removeSecretFiles, writeSecretFiles} from './secret-files.js'
import {type SecretUsage, scopeKey} from './secrets.js'
import type {Store} from './store.js'
import {checkSubmitInput} from './submit-input.js'
import {type SwarmEngine, SwarmTarget} from './swarm-deployments.js'
import type {Reencrypt, Vault} from './vault.js'

/** What the copies of a deployment's values are bound to (their associated data). */
function copiesOwner(row: DeploymentRow) {
  return {id: 0, name: `deployment/${row.id}`, version: row.revision}
}

/** How long a container gets to stop after SIGTERM (docker stop's own default). */
export const DEFAULT_GRACE_SECONDS = 10

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

export class DeploymentsService implements SecretUsage {
  readonly records: DeploymentsStore
  private readonly names: LiveNames
  private refreshing: Promise<void> | undefined
  /** One change at a time per deployment. */
  private readonly locks = new KeyedLock<string>()
  /** Deployments whose launch runs in this agent now: reconciliation leaves them to it. */
  private readonly launching = new Set<string>()
  /** Deployments that are Docker Swarm services (`submit --swarm`). */
  private readonly swarm: SwarmEngine

  constructor(
    private readonly store: Store,
    private readonly vault: Vault,
    private readonly paths: HushPaths,
    private readonly log: Logger,
    swarm?: (records: DeploymentsStore) => SwarmEngine,
  ) {
    this.records = new DeploymentsStore(store)
    this.names = new LiveNames(this.records)
    this.swarm = swarm?.(this.records) ?? new SwarmTarget(() => store.storeId, this.records, paths, log)
  }

  // --- SecretUsage -------------------------------------------------------------------------

  liveUsers(name: string, app: string | null): string[] {
    return this.liveUsersByScope().get(scopeKey(name, app)) ?? []
  }

  liveUsersByScope(): Map<string, string[]> {
    const users = new Map<string, string[]>()
    for (const row of this.records.live()) {
      for (const name of usedSecrets(row)) {
        const key = scopeKey(name, this.scopeUsed(row, name))
        users.set(key, [...(users.get(key) ?? []), row.id])
      }
    }
    return users
  }

  /** Also, for an app-scoped secret: that app's deployments still running the shared NAME (it now wins for them). */
  staleUsers(name: string, app: string | null, version: number): string[] {
    return this.records
      .live()
      .filter((row) =>
        row.injected.some(
          (item) =>
            item.name === name &&
            (((item.app ?? null) === app && item.version < version) ||
              (app !== null && row.name === app && (item.app ?? null) === null)),
        ),
      )
      .map((row) => row.id)
  }

  /** Which scope of NAME a deployment uses: the one it received, else (not launched yet) the one it would see. */
  private scopeUsed(row: DeploymentRow, name: string): string | null {
    const item = row.injected.find((injected) => injected.name === name)
    if (item) return item.app ?? null
    return this.store.findVisible(name, row.name)?.app ?? null
  }

  // --- reading -------------------------------------------------------------------------------

  /**
   * A deployment is stale when a secret it received changed (rotated, replaced or deleted) since,
   * or when its name now resolves to another secret (an app-scoped one created or deleted).
   */
  private isStale(row: DeploymentRow): boolean {
    return row.injected.some((item) => {
      const live = this.store.findVisible(item.name, row.name)
      return !live || live.id !== item.secretId || live.version > item.version
    })
  }

  detail(row: DeploymentRow): DeploymentDetail {
    const info: DeploymentInfo = {
      id: row.id,
      name: row.name,
      image: row.image,
      state: row.state,
      revision: row.revision,
      containerId: row.containerId,
      exitCode: row.exitCode,
      stale: this.isStale(row),
      env: row.env,
      secrets: deploymentSecrets(row),
      createdAt: row.createdAt,
      target: row.target,
    }
    if (row.target === 'swarm') {
      const view = this.swarm.view(row.id)
      info.serviceId = row.serviceId
      info.replicas = {
        running: view?.tasks.filter((task) => task.state === 'running').length ?? 0,
        desired: view?.desired ?? Number(row.options.replicas ?? 1),
      }
      info.tasks = view?.tasks ?? []
      info.update = view?.update ?? {state: null, message: null}
    }
    return {
      ...info,
      command: row.command,
      refs: row.refs.map(formatSecretRef),
      secretFiles: row.files,
      options: row.options,
      context: row.context,
      updatedAt: row.updatedAt,
    }
  }

  async list(): Promise<DeploymentDetail[]> {
    await this.refresh()
    return this.records.list().map((row) => this.detail(row))
  }

  async get(id: string): Promise<DeploymentDetail> {
    await this.refresh()
    return this.detail(this.require(id))
  }

  /** The deployment an id or a name means (deployment-lookup.ts). */
  require(ref: string): DeploymentRow {
    return findDeployment(this.records, ref)
  }

  /** Reconciles the records with docker (see refreshFromDocker). Concurrent callers share one pass. */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshFromDocker().finally(() => {
      this.refreshing = undefined
    })
    return this.refreshing
  }

  /**
   * One pass over the store's labelled containers (`docker ps -a`): each must be the recorded
   * container, or the one of the recorded revision of a deployment not terminated (adopted: a
   * launch whose agent died before recording it), else it is removed (no record, a previous
   * revision, terminated, created but never started). Then the live records take docker's states.
   * Deployments this agent is launching right now are left to their launch.
   */
  private async refreshFromDocker(): Promise<void> {
    // A container exists only after its record (the intent comes first) and until it is terminated.
    if (!this.records.anyUnterminated()) return
    await this.refreshSwarm()
    // A container exists only after a local record that is not terminated.
    if (!this.records.list().some((row) => row.target === 'local' && row.state !== 'terminated')) return
    const before = new Map(
      this.records
        .live()
        .filter((row) => row.target === 'local')
        .map((row) => [row.id, row]),
    )
    const launchingBefore = new Set(this.launching)
    // One `docker ps -a` per engine: the agent's own, and each docker context a live deployment is on.
    // An engine that does not answer leaves its deployments' records as they are.
    const containers: (StoreContainer & {context: string | null})[] = []
    const reached = new Set<string | null>()
    for (const context of new Set([null, ...[...before.values()].map((row) => row.context)])) {
      try {
        for (const found of await dockerListStore(this.store.storeId, context)) containers.push({...found, context})
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
      if (this.launching.has(container.deployment) || launchingBefore.has(container.deployment)) continue
      const row = this.records.get(container.deployment)
      const verdict = containerVerdict(row, container, (id) => containers.some((other) => other.id === id))
      if (verdict === 'keep') present.set(container.id, container.state)
      else if (verdict === 'adopt' && row) {
        this.adopt(row, container)
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
      if (this.launching.has(row.id) || launchingBefore.has(row.id) || !reached.has(row.context)) continue
      if (!seen || seen.containerId !== row.containerId || seen.revision !== row.revision) continue
      const {state, exitCode} = stateOf(row.containerId ? present.get(row.containerId) : undefined)
      if (state !== row.state || exitCode !== row.exitCode) this.records.setState(row.id, state, exitCode, at)
      // A container that stopped needs its secret files no more (only its revision's: a resubmit
      // may be writing the next one).
      if (!isLive(state) && row.files.length > 0) {
        removeSecretFiles(this.paths, row.id, {only: row.revision})
      }
    }
  }

  /** Records a container of the recorded revision that its launch could not record (the agent died). */
  private adopt(row: DeploymentRow, container: StoreContainer): void {
    const {state, exitCode} = stateOf(container.state)
    const adopted: DeploymentRow = {...row, containerId: container.id, state, exitCode, updatedAt: now()}
    this.recordLaunched(adopted, row.revision === 1 ? 'deployment.submitted' : 'deployment.resubmitted')
    this.log.warn(`adopted container ${container.id.slice(0, 12)} of ${row.id} revision ${row.revision}`)
  }

  /**
   * The Swarm side of a state read: services adopted or removed and their states read (see
   * SwarmTarget.refresh), then the store's Swarm secrets that nothing needs removed.
   */
  private async refreshSwarm(): Promise<void> {
    if (!this.records.list().some((row) => row.target === 'swarm' && row.state !== 'terminated')) return
    const launching = new Set(this.launching)
    await this.settleResubmits(launching)
    await this.swarm.refresh(launching, (row, serviceId) => {
      this.recordLaunched(
        {...row, serviceId, state: 'starting', updatedAt: now()},
        row.revision === 1 ? 'deployment.submitted' : 'deployment.resubmitted',
      )
    })
    await this.collectSwarmSecrets(launching)
  }

  /**
   * Resubmits of Swarm deployments that no launch is finishing (the agent died during one): once
   * the service is settled, the revision it runs is the recorded one. Still the replaced revision
   * (the update never ran, or rolled back): that record and its copies are put back, so status
   * shows what runs (STALE again) and the new revision's Swarm secrets are no longer needed.
   */
  private async settleResubmits(launching: ReadonlySet<string>): Promise<void> {
    for (const row of this.records.list()) {
      if (row.target !== 'swarm' || launching.has(row.id)) continue
      const kept = this.records.previous(row.id)
      if (!kept) continue
      const revision = row.serviceId ? await this.swarm.settledRevision(row.serviceId) : null
      if (revision === undefined || this.launching.has(row.id)) continue
      this.store.transaction(() => {
        if (revision === kept.row.revision && this.records.get(row.id)?.revision === row.revision) {
          this.records.save({...kept.row, updatedAt: now()})
          this.records.replaceValues(row.id, kept.copies)
        }
        this.records.forgetPrevious(row.id)
      })
      if (revision === kept.row.revision) {
        this.log.warn(
          `the resubmit of ${row.id} to revision ${row.revision} never reached its service: revision ${revision} runs and stays recorded`,
        )
      }
    }
  }

  /** Removes the store's Swarm secrets no deployment needs (docker keeps any a service uses). */
  private async collectSwarmSecrets(launching: ReadonlySet<string> = this.launching): Promise<void> {
    try {
      const removed = await this.swarm.collectSecrets(launching)
      if (removed) this.log.info(`removed ${removed} Swarm secret(s) no deployment uses`)
    } catch (error) {
      this.log.warn(`cannot read Swarm secrets: ${(error as Error).message}`)
    }
  }

  /** At agent start: remove leftover env-files, reconcile with docker, remove orphan secret files. */
  async reconcile(): Promise<void> {
    const removed = removeLeftoverEnvFiles(this.paths)
    if (removed) this.log.warn(`removed ${removed} leftover env-file(s)`)
    await this.refresh()
    // A terminate or a launch that died may have left Swarm secrets of deployments no longer live.
    if (this.records.list().some((row) => row.target === 'swarm')) await this.collectSwarmSecrets()
    const live = new Map(this.records.live().map((row) => [row.id, row.revision]))
    const orphans = removeOrphanSecretFiles(this.paths, live)
    if (orphans) this.log.warn(`removed the secret files of ${orphans} deployment(s) no longer running`)
    this.log.info(`reconciled ${this.records.live().length} live deployment(s) with docker`)
  }

  // --- changing ------------------------------------------------------------------------------

  async submit(input: SubmitInput): Promise<SubmitOutput> {
    const {image, name, command, refs, env, files, options, context, target, warnings} = checkSubmitInput(input)
    if (context !== null) await checkContext(context, files.length > 0)

    const id = `d-${randomBytes(4).toString('hex')}`
    const at = now()
    const row: DeploymentRow = {
      id,
      name,
      image,
      command,
      env,
      refs,
      files,
      options,
      context,
      target,
      serviceId: null,
      injected: [],
      containerId: null,
      state: 'starting',
      exitCode: null,
      revision: 1,
      createdAt: at,
      updatedAt: at,
    }
    // A live record may hold a container that has stopped since: read docker's states first.
    if (name !== null && this.records.live().some((live) => live.name === name)) await this.refresh()
    const release = this.names.claim(name, id)
    return this.locks.run(id, async () => {
      const launched = await this.launch(row, 'deployment.submitted', true).finally(release)
      return {
        id,
        containerId: launched.containerId ?? '',
        ...(launched.serviceId ? {serviceId: launched.serviceId} : {}),
        state: launched.state,
        image,
        warnings,
      }
    })
  }

  async resubmit(ref: string): Promise<ResubmitOutput> {
    const id = this.require(ref).id
    return this.locks.run(id, async () => {
      const old = this.require(id)
      if (isSession(old.options)) {
        throw new HushError(
          'bad_request',
          `${id} was an interactive session (-i/-t): start a new one with \`hush submit -it ...\` instead.`,
        )
      }
      const release = this.names.claim(old.name, id)
      const next: DeploymentRow = {...old, revision: old.revision + 1, updatedAt: now()}
      const launched = await this.launch(next, 'deployment.resubmitted', false, old).finally(release)
      return {
        id,
        containerId: launched.containerId ?? '',
        state: launched.state,
        image: launched.image,
        warnings: [],
        revision: launched.revision,
        previousContainerId: old.containerId,
        ...(launched.serviceId ? {serviceId: launched.serviceId, tasks: this.swarm.view(id)?.tasks ?? []} : {}),
      }
    })
  }

  /**
   * Resolves fresh values and checks docker can carry them (failing before anything changes),
   * removes `previous`'s container, records the intent (revision, versions, the values' encrypted
   * copies) durably, and only then runs the container and records it. If the agent dies after the
   * intent, reconciliation adopts or removes what docker made; if `docker run` fails, a container
   * it created is removed before the error returns.
   */
  private async launch(
    row: DeploymentRow,
    event: 'deployment.submitted' | 'deployment.resubmitted',
    isNew: boolean,
    previous?: DeploymentRow,
  ): Promise<DeploymentRow> {
    await this.vault.unlock()
    const resolved = resolveEnv(this.store, this.vault, row.refs, row.env, row.files.map(secretFileName), row.name)
    this.launching.add(row.id)
    try {
      if (row.target === 'swarm') return await this.launchService(row, resolved, event, isNew, previous)
      checkLaunchable(resolved.entries)
      const intent = intentOf(row, resolved)
      const previousCopies = previous ? this.records.values(row.id) : []
      this.store.transaction(() => {
        this.records.save(intent)
        this.records.replaceValues(row.id, this.sealCopies(intent, resolved))
      })
      if (previous?.containerId) {
        try {
          if (isLive(previous.state)) await dockerStop(previous.containerId, DEFAULT_GRACE_SECONDS, previous.context)
          await dockerRemove(previous.containerId, previous.context)
        } catch (error) {
          // The previous container still runs: it stays the recorded one.
          this.store.transaction(() => {
            this.records.save(previous)
            this.records.replaceValues(row.id, previousCopies)
          })
          throw error
        }
      }
      let containerId: string
      try {
        const files = writeSecretFiles(this.paths, row.id, row.revision, resolved.files, row.files, row.options.user)
        containerId = await dockerRun(this.paths, {
          id: row.id,
          revision: row.revision,
          storeId: this.store.storeId,
          name: row.name,
          image: row.image,
          command: row.command,
          options: row.options,
          context: row.context,
          env: withFileEnv(resolved.entries, files.env),
          mounts: files.mounts,
          redact: [...resolved.files, ...resolved.parts].map((item) => item.value),
        })
      } catch (error) {
        await this.undoLaunch(intent, isNew, error)
        throw error
      }
      // The previous revision's files went with its container.
      removeSecretFiles(this.paths, row.id, {keep: row.revision})
      // A session's container is created, not started: the CLI starts it attached.
      const state = isSession(row.options) ? 'starting' : 'running'
      const launched: DeploymentRow = {...intent, containerId, state, updatedAt: now()}
      this.recordLaunched(launched, event)
      return launched
    } finally {
      this.launching.delete(row.id)
      wipeResolved(this.vault, resolved)
    }
  }

  /**
   * The Swarm form of launch: checks first (a manager, sizes), then the intent with the values'
   * copies (a previous revision's kept too: its tasks' logs stay readable until they go), then the
   * Swarm secrets and the service or its rolling update. A failure forgets a new record (or fails
   * a resubmitted one) and removes what it created; a rollback restores the previous record.
   */
  private async launchService(
    row: DeploymentRow,
    resolved: ResolvedEnv,
    event: 'deployment.submitted' | 'deployment.resubmitted',
    isNew: boolean,
    previous?: DeploymentRow,
  ): Promise<DeploymentRow> {
    await this.swarm.check(resolved)
    const intent = intentOf(row, resolved)
    const previousCopies = previous ? this.records.values(row.id) : []
    this.store.transaction(() => {
      this.records.save(intent)
      this.records.replaceValues(row.id, [
        ...this.sealCopies(intent, resolved),
        ...(previous ? this.carriedCopies(previous, intent) : []),
      ])
      // Until the rolling update is done, the service runs `previous`: kept to be put back.
      if (previous) this.records.keepPrevious(previous, previousCopies)
    })
    let launched: {serviceId: string}
    try {
      launched = await this.swarm.launch(intent, resolved, previous)
    } catch (error) {
      if (previous) {
        // The previous revision still runs (rolled back, or never replaced): it stays the recorded one.
        this.store.transaction(() => {
          this.records.save(previous)
          this.records.replaceValues(row.id, previousCopies)
          this.records.forgetPrevious(row.id)
        })
      } else {
        await this.swarm.undo(intent, isNew)
        this.store.transaction(() => this.records.remove(intent.id))
      }
      await this.collectSwarmSecrets()
      throw error
    }
    const state = previous ? 'running' : 'starting'
    const done: DeploymentRow = {...intent, serviceId: launched.serviceId, state, updatedAt: now()}
    this.recordLaunched(done, event)
    // The previous revision's Swarm secrets go once its tasks are replaced.
    if (previous) await this.collectSwarmSecrets()
    return done
  }

  /**
   * A previous revision's copies, re-sealed to the new revision under `rN:` labels: Swarm keeps
   * old tasks (and their logs) a while after a rolling update, and those logs stay redacted.
   * Copies older than the last four revisions are dropped.
   */
  private carriedCopies(previous: DeploymentRow, next: DeploymentRow) {
    const from = copiesOwner(previous)
    const to = copiesOwner(next)
    return this.records.values(previous.id).flatMap((cipher) => {
      const carried = /^r(\d+):/.exec(cipher.key)
      if (carried && Number(carried[1]) < next.revision - 4) return []
      const label = carried ? cipher.key : `r${previous.revision}:${cipher.key}`
      const value = this.vault.decrypt(from, cipher)
      try {
        return [this.vault.encrypt(to, label, value)]
      } finally {
        this.vault.wipe(value)
      }
    })
  }

  /**
   * After a failed `docker run`: the container docker created but could not start (its config
   * holds the values) goes first, then the files and the record (a new one is forgotten, a
   * resubmitted one is failed without a container). When docker never reached an engine (no CLI,
   * no engine answering), it created nothing: a new record is forgotten too, so nothing stays.
   */
  private async undoLaunch(intent: DeploymentRow, isNew: boolean, runError: unknown): Promise<void> {
    const unreachable = runError instanceof HushError && runError.code === 'docker_unavailable'
    let removedAll = true
    try {
      const removed = await dockerRemoveRevision(this.store.storeId, intent.id, intent.revision, intent.context)
      if (removed) this.log.warn(`removed ${removed} container(s) docker created for ${intent.id} but could not start`)
    } catch (error) {
      // Kept as a failed record: the next state read still looks for its container and removes it.
      removedAll = false
      this.log.warn(`cannot remove the failed container of ${intent.id}: ${(error as Error).message}`)
    }
    removeSecretFiles(this.paths, intent.id)
    this.store.transaction(() => {
      if (isNew && (removedAll || unreachable)) this.records.remove(intent.id)
      else {
        this.records.save({...intent, state: 'failed', updatedAt: now()})
        this.records.replaceValues(intent.id, [])
      }
    })
  }

  /** Saves a launched (or adopted) container or service with its audit events, in one transaction. */
  private recordLaunched(launched: DeploymentRow, event: 'deployment.submitted' | 'deployment.resubmitted'): void {
    const at = launched.updatedAt
    this.store.transaction(() => {
      this.records.save(launched)
      this.records.forgetPrevious(launched.id)
      const audited = launched.injected.length ? launched.injected : [undefined]
      for (const item of audited) {
        this.store.addAudit(
          {
            event,
            secret: item?.name ?? null,
            ...(item?.app ? {app: item.app} : {}),
            keys: item === undefined ? [] : shownKeys(item),
            version: item?.version ?? null,
            deployment: launched.id,
          },
          at,
        )
      }
    })
  }

  /** Encrypted copies of the injected secret values (env, files, template parts), for redacting this revision's logs. */
  private sealCopies(row: DeploymentRow, resolved: ResolvedEnv) {
    const owner = copiesOwner(row)
    const copies = [
      ...resolved.entries
        .filter((entry) => entry.secret !== undefined)
        .map((entry) => ({label: entry.key, value: entry.value})),
      ...resolved.files.map((file) => ({label: `file:${file.key}`, value: file.value})),
      ...resolved.parts,
    ]
    return copies.map((copy) => this.vault.encrypt(owner, copy.label, copy.value))
  }

  /** For a rotation of the data key (inside its transaction): every kept copy, re-encrypted. */
  reencryptCopies(reencrypt: Reencrypt): void {
    for (const row of this.records.list()) {
      const rows = this.records.values(row.id).map((cipher) => reencrypt(copiesOwner(row), cipher))
      if (rows.length > 0) this.records.replaceValues(row.id, rows)
      const kept = this.records.previous(row.id)
      if (kept) {
        const copies = kept.copies.map((cipher) => reencrypt(copiesOwner(kept.row), cipher))
        this.records.keepPrevious(kept.row, copies)
      }
    }
  }

  private openCopies(row: DeploymentRow): Uint8Array[] {
    const owner = copiesOwner(row)
    return this.records.values(row.id).map((cipher) => this.vault.decrypt(owner, cipher))
  }

  /** Stops the container (SIGTERM, SIGKILL after `graceSeconds`), removes it; state terminated. */
  async terminate(ref: string, graceSeconds = DEFAULT_GRACE_SECONDS): Promise<DeploymentDetail> {
    const id = this.require(ref).id
    await this.refresh()
    return this.locks.run(id, async () => {
      const row = this.require(id)
      if (row.target === 'swarm') await this.swarm.terminate(row)
      else if (row.containerId) {
        if (isLive(row.state)) await dockerStop(row.containerId, graceSeconds, row.context)
        await dockerRemove(row.containerId, row.context)
      }
      removeSecretFiles(this.paths, id)
      const at = now()
      const wasLive = row.state !== 'terminated'
      this.store.transaction(() => {
        this.records.replaceValues(id, [])
        this.records.forgetPrevious(id)
        this.records.setState(id, 'terminated', row.exitCode, at)
        if (wasLive) {
          this.store.addAudit(
            {event: 'deployment.terminated', secret: null, keys: [], version: null, deployment: id},
            at,
          )
        }
      })
      if (row.target === 'swarm') await this.collectSwarmSecrets()
      return this.detail(this.require(id))
    })
  }

  /** The container's output as frames, every injected value replaced by ***; with follow, an end frame. */
  async logs(ref: string, follow: boolean): Promise<Readable> {
    const id = this.require(ref).id
    await this.refresh()
    const row = this.require(id)
    const source = row.target === 'swarm' ? row.serviceId : row.containerId
    if (row.state === 'terminated' || !source) {
      throw new HushError(
        'deployment_not_found',
        `Deployment ${id} has no container (${row.state}): its logs are gone.`,
        {deployment: id},
      )
    }
    if (row.injected.length > 0) await this.vault.unlock()
    const values = row.injected.length > 0 ? this.openCopies(row) : []
    try {
      return redactedLogStream(
        row.target === 'swarm' ? this.swarm.logSource(source, follow) : containerLogSource(source, follow, row.context),
        values,
        follow,
        async () => {
          await this.refresh()
          const after = this.records.get(id) ?? row
          return {state: after.state, exitCode: after.exitCode}
        },
      )
    } finally {
      for (const value of values) this.vault.wipe(value)
    }
  }
}

/** The record of a launch about to run: what it injects, starting, no container yet (a service keeps its id). */
function intentOf(row: DeploymentRow, resolved: ResolvedEnv): DeploymentRow {
  return {
    ...row,
    injected: withFileTargets(resolved.injected, row.files),
    containerId: null,
    state: 'starting',
    exitCode: null,
    updatedAt: now(),
  }
}

/**
 * What reconciliation does with one of the store's containers: `keep` the recorded one, `adopt`
 * the one of the recorded revision that no record names yet, else the reason it is removed.
 */
function containerVerdict(
  row: DeploymentRow | undefined,
  container: StoreContainer,
  exists: (containerId: string) => boolean,
): 'keep' | 'adopt' | string {
  if (!row) return 'no deployment records it'
  if (row.state === 'terminated') return 'its deployment is terminated'
  if (row.containerId === container.id) return 'keep'
  if (container.revision !== row.revision)
    return `it belongs to revision ${container.revision ?? '?'}, not ${row.revision}`
  if (container.state.status === 'created') return 'docker created it but it never started'
  if (row.containerId && exists(row.containerId)) return 'its deployment already has a container'
  return 'adopt'
}
