// Deployments: submit, resubmit, terminate, status and logs of what hush launched, on the target
// each record names (a Target, target.ts; the composition root hands over one for each name). A
// launch is recorded (versions and the values' encrypted copies) before docker runs; every state
// read reconciles the records with docker (each target's `refresh`), so whatever dies when,
// nothing holding a value is unknown. It also tells the secrets side which deployments use a
// secret (SecretUsage). What differs between targets is theirs: this file names none.
import type {Readable} from 'node:stream'
import type {DeploymentDetail, DeploymentInfo, ResubmitOutput, SubmitInput, SubmitOutput} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {newDeploymentId} from '../../api/limits.js'
import {visibleOf} from '../../api/rules/precedence.js'
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
import {redactedLogStream} from './log-stream.js'
import {findDeployment, LiveNames} from './lookup.js'
import {deploymentSecrets, shownKeys, usedSecrets, withFileTargets} from './parts.js'
import {type ResolvedEnv, resolveEnv, wipeResolved} from './resolve-env.js'
import {checkSubmitInput} from './submit-input.js'
import {DEFAULT_GRACE_SECONDS, type Launched, type Launching, type Target, type Targets} from './target.js'

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
  /** The next state read of its own while a resubmit cut short waits for its target (see settleResubmits). */
  private settleTimer: NodeJS.Timeout | undefined
  /** State reads of its own that targets asked for (see readAgainLater). */
  private readonly readTimers = new Set<NodeJS.Timeout>()
  /** One change at a time per deployment. */
  private readonly locks = new KeyedLock<string>()
  /** Deployments whose terminate runs in this agent now (a recorded terminate intent is theirs). */
  private readonly terminatingNow = new Set<string>()
  /** Deployments whose launch runs in this agent now: reconciliation leaves them to it. */
  private readonly launching = new Set<string>()
  private readonly isLaunching: Launching = (id) => this.launching.has(id)
  /** Where deployments run, by the name their records give. */
  private readonly targets: Targets

  constructor(
    private readonly store: Store,
    private readonly dataKey: DataKey,
    private readonly paths: HushPaths,
    private readonly log: Logger,
    targets: (records: DeploymentsStore) => Targets,
  ) {
    this.records = new DeploymentsStore(store)
    this.names = new LiveNames(this.records)
    this.targets = targets(this.records)
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
  private targetOf(row: DeploymentRow): Target {
    return this.targets[row.target]
  }

  /** The targets some record names (`live`: a record not terminated), in the registry's order. */
  private targetsIn(live: boolean): Target[] {
    return (Object.keys(this.targets) as DeploymentRow['target'][])
      .filter((name) => this.records.list().some((row) => row.target === name && (!live || row.state !== 'terminated')))
      .map((name) => this.targets[name])
  }

  /** The deployments a state read leaves to their launch: launching when it begins, or since. */
  private leftToLaunch(): Launching {
    const before = new Set(this.launching)
    return (id) => before.has(id) || this.launching.has(id)
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

  /**
   * The live deployments that NAME in scope `app` at `version` now wins for (precedence.ts), but
   * that run an older version of it, or NAME from another scope (an app's deployments still running
   * the shared NAME once their app's own is created).
   */
  staleUsers(name: string, app: string | null, version: number): string[] {
    return this.records
      .live()
      .filter((row) =>
        row.injected.some((item) => {
          if (item.name !== name) return false
          const received = item.app ?? null
          const wins = visibleOf([{app}, {app: received}], row.name)?.app === app
          return wins && (received !== app || item.version < version)
        }),
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
      ...this.targetOf(row).detail?.(row),
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

  /** Every deployment as the records say (the route's server reads docker's states first: `refresh`). */
  list(): DeploymentDetail[] {
    return this.records.list().map((row) => this.detail(row))
  }

  /** One deployment as its record says (the route's server reads docker's states first: `refresh`). */
  get(id: string): DeploymentDetail {
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
   * One pass over each target that has a deployment not terminated (what a target runs exists
   * only after its record, the intent coming first, and until it is terminated): resubmits cut
   * short settled, then its `refresh`, then its leftovers collected. Deployments this agent is
   * launching are left to their launch.
   */
  private async refreshFromDocker(): Promise<void> {
    if (!this.records.anyUnterminated()) return
    await this.finishCutTerminates()
    for (const target of this.targetsIn(true)) {
      const launching = this.leftToLaunch()
      await this.settleResubmits(target, launching)
      await target.refresh(launching, (adopted) => this.recordLaunched(adopted, launchEvent(adopted)))
      await target.collect?.(launching)
    }
  }

  /**
   * Resubmits on a rolling target that no launch is finishing (the agent died during one): once
   * the target has settled, the revision it runs is the recorded one. Still the replaced revision
   * (the update never ran, or rolled back): that record and its copies are put back, so status
   * shows what runs (STALE again) and what the new revision needed can be collected.
   */
  private async settleResubmits(target: Target, launching: Launching): Promise<void> {
    if (!target.settledRevision) return
    let unsettled = false
    for (const row of this.records.list()) {
      if (this.targetOf(row) !== target || launching(row.id)) continue
      const kept = this.records.previous(row.id)
      if (!kept) continue
      const revision = await target.settledRevision(row)
      if (launching(row.id)) continue
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
    // No user command may come to read the state again: the agent does, until the target settles
    // (else what the new revision needs while it might still roll out stays for good).
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
    for (const timer of this.readTimers) clearTimeout(timer)
    this.readTimers.clear()
  }

  /**
   * A state read of the agent's own when the target of `row` asks for one (e.g. when a waiting
   * session's start window ends, so a session nobody attached to goes without anyone asking).
   */
  private readAgainLater(row: DeploymentRow): void {
    const at = this.targetOf(row).readAgainAt?.(row)
    if (at === undefined) return
    const timer = setTimeout(
      () => {
        this.readTimers.delete(timer)
        this.refresh().catch((error: unknown) =>
          this.log.warn(`cannot read the state of ${row.id}: ${(error as Error).message}`),
        )
      },
      Math.max(0, at - Date.now()) + 250,
    )
    timer.unref()
    this.readTimers.add(timer)
  }

  /** At agent start: remove leftover env-files, reconcile with docker, remove orphan secret files. */
  async reconcile(): Promise<void> {
    const removed = removeLeftoverEnvFiles(this.paths)
    if (removed) this.log.warn(`removed ${removed} leftover env-file(s)`)
    await this.refresh()
    // A terminate or a launch that died may have left what deployments no longer live needed.
    for (const target of this.targetsIn(false)) await target.collect?.(this.isLaunching)
    for (const row of this.records.live()) this.readAgainLater(row)
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
        ...(launched.serviceId
          ? {serviceId: launched.serviceId, tasks: this.targetOf(launched).detail?.(launched).tasks ?? []}
          : {}),
      }
    })
  }

  /**
   * Resolves fresh values and checks the target can carry them (failing before anything changes),
   * records the intent (revision, versions, the values' encrypted copies) durably, retires
   * `previous` (a target that does not roll), and only then launches and records what it made. If the agent
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
    await this.dataKey.unlock()
    // The engine it goes to (the context's, else the agent's own) can take what it carries.
    await checkEngine(row.context, {
      files: row.files.length > 0,
      values: row.refs.length > 0 || row.files.length > 0,
      allowPlainTcp: preference(this.paths.home, 'allowPlainTcp'),
    })
    const resolved = resolveEnv(
      this.store,
      this.dataKey,
      row.refs,
      row.env,
      row.files.map((spec) => spec.name),
      row.name,
    )
    this.launching.add(row.id)
    try {
      const target = this.targetOf(row)
      await target.check(resolved)
      const intent = intentOf(row, resolved)
      const previousCopies = previous ? this.records.values(row.id) : []
      this.store.transaction(() => {
        this.records.save(intent)
        this.records.replaceValues(row.id, [
          ...this.encryptCopies(intent, resolved),
          // A rolling target keeps old tasks (and their logs) a while: their copies are carried.
          ...(previous && target.rolling ? this.carriedCopies(previous, intent) : []),
        ])
        // Until a rolling update is done, the service runs `previous`: kept to be put back.
        if (previous && target.rolling) this.records.keepPrevious(previous, previousCopies)
      })
      if (previous && target.retire) {
        try {
          await target.retire(previous)
        } catch (error) {
          // The previous container still runs: it stays the recorded one.
          this.restore(previous, previousCopies)
          throw error
        }
      }
      let launched: Launched
      try {
        launched = await target.launch(intent, resolved, previous)
      } catch (error) {
        // The previous revision still runs (rolled back, or never replaced): it stays the recorded one.
        if (previous && target.rolling) this.restore(previous, previousCopies)
        else await this.undoLaunch(target, intent, isNew, error)
        await target.collect?.(this.isLaunching)
        throw error
      }
      target.settle?.(intent)
      const done: DeploymentRow = {
        ...intent,
        ...(launched.containerId !== undefined ? {containerId: launched.containerId} : {}),
        ...(launched.serviceId !== undefined ? {serviceId: launched.serviceId} : {}),
        state: launched.state ?? (previous ? 'running' : 'starting'),
        updatedAt: now(),
      }
      this.recordLaunched(done, event)
      this.readAgainLater(done)
      if (previous) await target.replaced?.(previous, this.isLaunching)
      return done
    } finally {
      this.launching.delete(row.id)
      wipeResolved(this.dataKey, resolved)
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
   * A previous revision's copies, re-encrypted for the new revision under `rN:` labels: a rolling
   * target keeps old tasks (and their logs) a while after an update, and those logs stay redacted.
   * Copies older than the last four revisions are dropped.
   */
  private carriedCopies(previous: DeploymentRow, next: DeploymentRow) {
    const from = copiesOwner(previous)
    const to = copiesOwner(next)
    return this.records.values(previous.id).flatMap((cipher) => {
      const carried = /^r(\d+):/.exec(cipher.key)
      if (carried && Number(carried[1]) < next.revision - 4) return []
      const label = carried ? cipher.key : `r${previous.revision}:${cipher.key}`
      const value = this.dataKey.decrypt(from, cipher)
      try {
        return [this.dataKey.encrypt(to, label, value)]
      } finally {
        this.dataKey.wipe(value)
      }
    })
  }

  /**
   * After a failed launch on a target that does not roll: the target removes what docker made
   * (see its `undo`), then the record goes (a new one whose launch left nothing) or is failed
   * without a container and copies.
   */
  private async undoLaunch(target: Target, intent: DeploymentRow, isNew: boolean, error: unknown): Promise<void> {
    const nothingLeft = (await target.undo(intent, isNew, error)) !== false
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
  private encryptCopies(row: DeploymentRow, resolved: ResolvedEnv) {
    const owner = copiesOwner(row)
    const copies = [
      ...resolved.entries
        .filter((entry) => entry.secret !== undefined)
        .map((entry) => ({label: entry.key, value: entry.value})),
      ...resolved.files.map((file) => ({label: `file:${file.key}`, value: file.value})),
      ...resolved.parts,
    ]
    return copies.map((copy) => this.dataKey.encrypt(owner, copy.label, copy.value))
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
    return this.records.values(row.id).map((cipher) => this.dataKey.decrypt(owner, cipher))
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
    await this.targetOf(row).terminate(row, graceSeconds)
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
    await this.targetOf(row).collect?.(this.isLaunching)
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
    const target = this.targetOf(row)
    const source = target.runsAs(row)
    if (row.state === 'terminated' || !source) {
      throw new HushError(
        'deployment_not_found',
        `Deployment ${id} has no container (${row.state}): its logs are gone.`,
        {deployment: id},
      )
    }
    if (row.injected.length > 0) await this.dataKey.unlock()
    const values = row.injected.length > 0 ? this.openCopies(row) : []
    try {
      return redactedLogStream(target.logSource(source, follow, row), values, follow, async () => {
        await this.refresh()
        const after = this.records.get(id) ?? row
        return {state: after.state, exitCode: after.exitCode}
      })
    } finally {
      for (const value of values) this.dataKey.wipe(value)
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
