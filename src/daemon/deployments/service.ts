// Deployments: submit, resubmit, terminate, status and logs of what hush launched, on the target
// each record names (an Engine: local-target.ts or swarm-target.ts). A launch is recorded
// (versions and the values' encrypted copies) before docker runs; every state read reconciles the
// records with docker (each target's `refresh`), so whatever dies when, nothing holding a value is
// unknown. It also tells the secrets side which deployments use a secret (SecretUsage).
import type {Readable} from 'node:stream'
import type {DeploymentDetail, DeploymentInfo, ResubmitOutput, SubmitInput, SubmitOutput} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {newDeploymentId} from '../../api/limits.js'
import {isSession, SESSION_NOT_RESUBMITTED} from '../../api/rules/run-options.js'
import {formatSecretFileSpec} from '../../api/rules/secret-file-spec.js'
import {formatSecretRef} from '../../api/rules/secret-ref.js'
import type {HushPaths} from '../../config/paths.js'
import {preference} from '../../config/preferences.js'
import {removeLeftoverEnvFiles} from '../docker/containers.js'
import {checkEngine} from '../docker/context.js'
import {removeOrphanSecretFiles, removeSecretFiles} from '../docker/secret-files.js'
import {KeyedLock} from '../process/keyed-lock.js'
import type {Logger} from '../process/log.js'
import {type SecretUsage, scopeKey} from '../secrets/service.js'
import {type DeploymentRow, DeploymentsStore} from '../store/deployments-table.js'
import type {Store} from '../store/secrets-table.js'
import type {DataKey} from '../vault/data-key.js'
import type {Reencrypt} from '../vault/key-change.js'
import {checkHostMounts} from './host-mounts.js'
import {DEFAULT_GRACE_SECONDS, isWaitingSession, LocalTarget, sessionStartSeconds} from './local-target.js'
import {redactedLogStream} from './log-stream.js'
import {findDeployment, LiveNames} from './lookup.js'
import {deploymentSecrets, shownKeys, usedSecrets, withFileTargets} from './parts.js'
import {type ResolvedEnv, resolveEnv, wipeResolved} from './resolve-env.js'
import {checkSubmitInput} from './submit-input.js'
import {type SwarmEngine, SwarmTarget} from './swarm-target.js'
import type {Engine, Launched} from './target.js'

/** What the copies of a deployment's values are bound to (their associated data). */
function copiesOwner(row: DeploymentRow) {
  return {id: 0, name: `deployment/${row.id}`, version: row.revision}
}

function now(): string {
  return new Date().toISOString()
}

/**
 * While the service of a resubmit cut short is still rolling (a previous update under way, or
 * docker could not say), the agent reads it again this often, on its own, until it has settled.
 */
const SETTLE_RETRY_MS = 1000

export class DeploymentsService implements SecretUsage {
  readonly records: DeploymentsStore
  private readonly names: LiveNames
  private refreshing: Promise<void> | undefined
  /** The next state read of its own while a resubmit cut short waits for its service (see settleResubmits). */
  private settleTimer: NodeJS.Timeout | undefined
  /** State reads of its own at the end of sessions' start windows (see watchSessionStart). */
  private readonly sessionTimers = new Set<NodeJS.Timeout>()
  /** One change at a time per deployment. */
  private readonly locks = new KeyedLock<string>()
  /** Deployments whose terminate runs in this agent now (a recorded terminate intent is theirs). */
  private readonly terminatingNow = new Set<string>()
  /** Deployments whose launch runs in this agent now: reconciliation leaves them to it. */
  private readonly launching = new Set<string>()
  /** Deployments that are Docker Swarm services (`submit --swarm`). */
  private readonly swarm: SwarmEngine
  /** Deployments that are containers on a docker engine (`submit`). */
  private readonly local: LocalTarget

  constructor(
    private readonly store: Store,
    private readonly vault: DataKey,
    private readonly paths: HushPaths,
    private readonly log: Logger,
    swarm?: (records: DeploymentsStore) => SwarmEngine,
  ) {
    this.records = new DeploymentsStore(store)
    this.names = new LiveNames(this.records)
    this.swarm = swarm?.(this.records) ?? new SwarmTarget(() => store.labelId, this.records, paths, log)
    this.local = new LocalTarget(() => store.labelId, this.records, paths, log)
    if (store.copiedFrom) this.detachCopied()
  }

  /**
   * A copy of a store holds the original's live records, whose containers and services are the
   * original's: the copy forgets them (failed, no container), so its terminate or reconcile never
   * touches them.
   */
  private detachCopied(): void {
    const at = now()
    this.store.transaction(() => {
      for (const row of this.records.live()) {
        this.records.save({...row, containerId: null, serviceId: null, state: 'failed', exitCode: null, updatedAt: at})
        this.log.warn(`${row.id} runs for the store this one was copied from: recorded as failed here`)
      }
    })
  }

  /** The target a deployment runs on. */
  private engineOf(row: DeploymentRow): Engine {
    return row.target === 'swarm' ? this.swarm : this.local
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
      secretFiles: row.files.map(formatSecretFileSpec),
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

  /** The deployment an id or a name means (lookup.ts). */
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
   * One pass over each target: Swarm's services (see refreshSwarm), then the store's labelled
   * containers (see LocalTarget.refresh). Deployments this agent is launching right now are left
   * to their launch.
   */
  private async refreshFromDocker(): Promise<void> {
    // A container exists only after its record (the intent comes first) and until it is terminated.
    if (!this.records.anyUnterminated()) return
    await this.finishCutTerminates()
    await this.refreshSwarm()
    await this.local.refresh(this.launching, (adopted) => this.recordLaunched(adopted, launchEvent(adopted)))
  }

  /**
   * The Swarm side of a state read: services adopted or removed and their states read (see
   * SwarmTarget.refresh), then the store's Swarm secrets that nothing needs removed.
   */
  private async refreshSwarm(): Promise<void> {
    if (!this.records.list().some((row) => row.target === 'swarm' && row.state !== 'terminated')) return
    const launching = new Set(this.launching)
    await this.settleResubmits(launching)
    await this.swarm.refresh(launching, (adopted) => this.recordLaunched(adopted, launchEvent(adopted)))
    await this.collectSwarmSecrets(launching)
  }

  /**
   * Resubmits of Swarm deployments that no launch is finishing (the agent died during one): once
   * the service is settled, the revision it runs is the recorded one. Still the replaced revision
   * (the update never ran, or rolled back): that record and its copies are put back, so status
   * shows what runs (STALE again) and the new revision's Swarm secrets are no longer needed.
   */
  private async settleResubmits(launching: ReadonlySet<string>): Promise<void> {
    let unsettled = false
    for (const row of this.records.list()) {
      if (row.target !== 'swarm' || launching.has(row.id)) continue
      const kept = this.records.previous(row.id)
      if (!kept) continue
      const revision = row.serviceId ? await this.swarm.settledRevision(row.serviceId) : null
      if (this.launching.has(row.id)) continue
      if (revision === undefined) {
        unsettled = true
        continue
      }
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
    // No user command may come to read the state again: the agent does, until the service settles
    // (else the new revision's Swarm secrets, needed while it might still roll out, stay for good).
    if (unsettled) this.settleLater()
  }

  /** One state read of the agent's own, SETTLE_RETRY_MS from now (one pending at a time). */
  private settleLater(): void {
    if (this.settleTimer) return
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined
      this.refresh().catch((error: unknown) => this.log.warn(`cannot settle a resubmit: ${(error as Error).message}`))
    }, SETTLE_RETRY_MS)
    // It never keeps a stopping agent alive.
    this.settleTimer.unref()
  }

  /** Stops the agent's own state reads (the store is about to close). */
  close(): void {
    clearTimeout(this.settleTimer)
    this.settleTimer = undefined
    for (const timer of this.sessionTimers) clearTimeout(timer)
    this.sessionTimers.clear()
  }

  /**
   * A state read of the agent's own when a waiting session's start window ends, so a session
   * nobody attached to is removed without anyone asking (see LocalTarget.endUnstartedSessions).
   */
  private watchSessionStart(row: DeploymentRow): void {
    const left = Date.parse(row.updatedAt) + sessionStartSeconds() * 1000 - Date.now()
    const timer = setTimeout(() => {
      this.sessionTimers.delete(timer)
      this.refresh().catch((error: unknown) => this.log.warn(`cannot end a session: ${(error as Error).message}`))
    }, Math.max(0, left) + 250)
    timer.unref()
    this.sessionTimers.add(timer)
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
    for (const row of this.records.live()) if (isWaitingSession(row)) this.watchSessionStart(row)
    const live = new Map(this.records.live().map((row) => [row.id, row.revision]))
    const orphans = removeOrphanSecretFiles(this.paths, live)
    if (orphans) this.log.warn(`removed the secret files of ${orphans} deployment(s) no longer running`)
    this.log.info(`reconciled ${this.records.live().length} live deployment(s) with docker`)
  }

  // --- changing ------------------------------------------------------------------------------

  async submit(input: SubmitInput): Promise<SubmitOutput> {
    const {image, name, command, refs, env, files, options, context, target, warnings} = checkSubmitInput(input)

    const id = newDeploymentId()
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
        throw new HushError('bad_request', `${id}: ${SESSION_NOT_RESUBMITTED}.`)
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
   * Resolves fresh values and checks the target can carry them (failing before anything changes),
   * records the intent (revision, versions, the values' encrypted copies) durably, removes
   * `previous`'s container (local), and only then launches and records what it made. If the agent
   * dies after the intent, reconciliation adopts or removes what docker made. If the launch fails,
   * a rolling target's previous record is restored (its revision still runs); otherwise what
   * docker made is removed and a new record forgotten (or a resubmitted one failed).
   */
  private async launch(
    row: DeploymentRow,
    event: 'deployment.submitted' | 'deployment.resubmitted',
    isNew: boolean,
    previous?: DeploymentRow,
  ): Promise<DeploymentRow> {
    // A resubmit checks again: hush's directories may have moved since the submit.
    checkHostMounts(row.options, this.paths)
    await this.vault.unlock()
    // The engine it goes to (the context's, else the agent's own) can take what it carries.
    await checkEngine(row.context, {
      files: row.files.length > 0,
      values: row.refs.length > 0 || row.files.length > 0,
      allowPlainTcp: preference(this.paths.home, 'allowPlainTcp'),
    })
    const resolved = resolveEnv(
      this.store,
      this.vault,
      row.refs,
      row.env,
      row.files.map((spec) => spec.name),
      row.name,
    )
    this.launching.add(row.id)
    try {
      const engine = this.engineOf(row)
      await engine.check(resolved)
      const intent = intentOf(row, resolved)
      const previousCopies = previous ? this.records.values(row.id) : []
      this.store.transaction(() => {
        this.records.save(intent)
        this.records.replaceValues(row.id, [
          ...this.sealCopies(intent, resolved),
          // A rolling target keeps old tasks (and their logs) a while: their copies are carried.
          ...(previous && engine.rolling ? this.carriedCopies(previous, intent) : []),
        ])
        // Until a rolling update is done, the service runs `previous`: kept to be put back.
        if (previous && engine.rolling) this.records.keepPrevious(previous, previousCopies)
      })
      if (previous && engine.retire) {
        try {
          await engine.retire(previous)
        } catch (error) {
          // The previous container still runs: it stays the recorded one.
          this.restore(previous, previousCopies)
          throw error
        }
      }
      let launched: Launched
      try {
        launched = await engine.launch(intent, resolved, previous)
      } catch (error) {
        // The previous revision still runs (rolled back, or never replaced): it stays the recorded one.
        if (previous && engine.rolling) this.restore(previous, previousCopies)
        else await this.undoLaunch(engine, intent, isNew, error)
        if (row.target === 'swarm') await this.collectSwarmSecrets()
        throw error
      }
      engine.settle?.(intent)
      const done: DeploymentRow = {
        ...intent,
        ...(launched.containerId !== undefined ? {containerId: launched.containerId} : {}),
        ...(launched.serviceId !== undefined ? {serviceId: launched.serviceId} : {}),
        state: launched.state ?? (previous ? 'running' : 'starting'),
        updatedAt: now(),
      }
      this.recordLaunched(done, event)
      if (isWaitingSession(done)) this.watchSessionStart(done)
      // The previous revision's Swarm secrets go once its tasks are replaced (by name: no listing;
      // one left, e.g. the agent died here, goes with the next state read or agent start).
      if (previous && row.target === 'swarm') {
        await this.swarm.collectSecretsOf(previous, this.launching).catch((error: unknown) => {
          this.log.warn(`cannot remove the previous Swarm secrets of ${row.id}: ${(error as Error).message}`)
        })
      }
      return done
    } finally {
      this.launching.delete(row.id)
      wipeResolved(this.vault, resolved)
    }
  }

  /** Puts back the record of a previous revision that still runs, with its copies. */
  private restore(previous: DeploymentRow, copies: ReturnType<DeploymentsStore['values']>): void {
    this.store.transaction(() => {
      this.records.save(previous)
      this.records.replaceValues(previous.id, copies)
      this.records.forgetPrevious(previous.id)
    })
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
   * After a failed launch on a target that does not roll: the target removes what docker made
   * (see its `undo`), then the record goes (a new one whose launch left nothing) or is failed
   * without a container and copies.
   */
  private async undoLaunch(engine: Engine, intent: DeploymentRow, isNew: boolean, error: unknown): Promise<void> {
    const nothingLeft = (await engine.undo(intent, isNew, error)) !== false
    this.store.transaction(() => {
      if (isNew && nothingLeft) this.records.remove(intent.id)
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

  /**
   * Stops the container (SIGTERM, SIGKILL after `graceSeconds`), removes it; state terminated.
   * The intent is recorded first, so a terminate cut short is finished by the next agent.
   */
  async terminate(ref: string, graceSeconds = DEFAULT_GRACE_SECONDS): Promise<DeploymentDetail> {
    const found = this.require(ref)
    const id = found.id
    if (found.state !== 'terminated') this.records.markTerminating(id, graceSeconds)
    this.terminatingNow.add(id)
    try {
      await this.refresh()
      return await this.locks.run(id, async () => {
        await this.finishTerminate(this.require(id), graceSeconds)
        return this.detail(this.require(id))
      })
    } finally {
      this.terminatingNow.delete(id)
    }
  }

  /** Stops and removes what `row` runs, its files and copies; then terminated, with its audit event. */
  private async finishTerminate(row: DeploymentRow, graceSeconds: number): Promise<void> {
    const id = row.id
    await this.engineOf(row).terminate(row, graceSeconds)
    removeSecretFiles(this.paths, id)
    const at = now()
    const wasLive = row.state !== 'terminated'
    this.store.transaction(() => {
      this.records.replaceValues(id, [])
      this.records.forgetPrevious(id)
      this.records.setState(id, 'terminated', row.exitCode, at)
      this.records.forgetTerminating(id)
      if (wasLive) {
        this.store.addAudit({event: 'deployment.terminated', secret: null, keys: [], version: null, deployment: id}, at)
      }
    })
    // The encrypted copies of the values it received leave the store's files too.
    this.store.erase()
    if (row.target === 'swarm') await this.collectSwarmSecrets()
  }

  /**
   * Terminates asked of an agent that died before finishing them (the intent is recorded, this
   * agent runs none of them): each is done now, before the records take docker's states.
   */
  private async finishCutTerminates(): Promise<void> {
    for (const row of this.records.list()) {
      if (row.state === 'terminated' || this.terminatingNow.has(row.id)) continue
      const grace = this.records.terminating(row.id)
      if (grace === undefined) continue
      try {
        await this.finishTerminate(row, grace)
        this.log.warn(`finished the terminate of ${row.id} that a stopped agent left`)
      } catch (error) {
        this.log.warn(`cannot finish the terminate of ${row.id}: ${(error as Error).message}`)
      }
    }
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
      return redactedLogStream(this.engineOf(row).logSource(source, follow, row), values, follow, async () => {
        await this.refresh()
        const after = this.records.get(id) ?? row
        return {state: after.state, exitCode: after.exitCode}
      })
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

/** The audit event of a launch: a first revision is submitted, a later one resubmitted. */
function launchEvent(row: DeploymentRow): 'deployment.submitted' | 'deployment.resubmitted' {
  return row.revision === 1 ? 'deployment.submitted' : 'deployment.resubmitted'
}
