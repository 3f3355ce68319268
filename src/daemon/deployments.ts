// Deployments: submit, resubmit, terminate, status and logs of the containers hush launched.
// States come from docker (refreshed before they are read, reconciled when the agent starts);
// it also tells the secrets side which deployments use a secret (SecretUsage).
import {randomBytes} from 'node:crypto'
import type {Readable} from 'node:stream'
import {
  type DeploymentDetail,
  type DeploymentInfo,
  type DeploymentSecret,
  type DeploymentState,
  type ResubmitOutput,
  type SubmitInput,
  type SubmitOutput,
  TERMINAL_STATES,
} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {templateRefs} from '../api/templates.js'
import type {HushPaths} from '../config/paths.js'
import {type DeploymentRow, DeploymentsStore, type InjectedSecret} from './deployments-store.js'
import {
  type ContainerState,
  dockerFindByLabel,
  dockerInspect,
  dockerRemove,
  dockerRun,
  dockerStop,
  LABEL_DEPLOYMENT,
  removeLeftoverEnvFiles,
} from './launcher.js'
import type {Logger} from './log.js'
import {redactedLogStream} from './log-stream.js'
import {formatSecretRef, type ResolvedEnv, resolveEnv, wipeResolved} from './resolve.js'
import {removeOrphanSecretFiles, removeSecretFiles, SECRET_FILES_TARGET, writeSecretFiles} from './secret-files.js'
import {type SecretUsage, scopeKey} from './secrets.js'
import type {Store} from './store.js'
import {checkSubmitInput} from './submit-input.js'
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
  private refreshing: Promise<void> | undefined
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor(
    private readonly store: Store,
    private readonly vault: Vault,
    private readonly paths: HushPaths,
    private readonly log: Logger,
  ) {
    this.records = new DeploymentsStore(store)
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
    }
    return {
      ...info,
      command: row.command,
      refs: row.refs.map(formatSecretRef),
      secretFiles: row.files,
      options: row.options,
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

  require(id: string): DeploymentRow {
    const row = typeof id === 'string' ? this.records.get(id) : undefined
    if (!row) {
      throw new HushError('deployment_not_found', `No deployment ${String(id)}: see \`hush status\`.`, {deployment: id})
    }
    return row
  }

  /** Reads the state of every live deployment from docker. Concurrent callers share one pass. */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshFromDocker().finally(() => {
      this.refreshing = undefined
    })
    return this.refreshing
  }

  private async refreshFromDocker(): Promise<void> {
    const live = this.records.live().filter((row) => row.containerId)
    if (live.length === 0) return
    let states: Map<string, ContainerState>
    try {
      states = await dockerInspect(live.map((row) => row.containerId!))
    } catch (error) {
      this.log.warn(`cannot read deployment states from docker: ${(error as Error).message}`)
      return
    }
    const at = now()
    for (const row of live) {
      const current = this.records.get(row.id)
      // Skip a record that changed meanwhile (resubmitted or terminated).
      if (!current || current.containerId !== row.containerId || !isLive(current.state)) continue
      const {state, exitCode} = stateOf(states.get(row.containerId!))
      if (state !== current.state || exitCode !== current.exitCode) this.records.setState(row.id, state, exitCode, at)
      // A container that stopped needs its secret files no more (only its revision's: a resubmit
      // may be writing the next one).
      if (!isLive(state) && current.files.length > 0) {
        removeSecretFiles(this.paths, row.id, {only: current.revision})
      }
    }
  }

  /** At agent start: remove leftover env-files, find containers of half-recorded launches, refresh states. */
  async reconcile(): Promise<void> {
    const removed = removeLeftoverEnvFiles(this.paths)
    if (removed) this.log.warn(`removed ${removed} leftover env-file(s)`)
    for (const row of this.records.live().filter((item) => !item.containerId)) {
      try {
        const [containerId] = await dockerFindByLabel(`${LABEL_DEPLOYMENT}=${row.id}`)
        if (containerId) this.records.save({...row, containerId, updatedAt: now()})
        else this.records.setState(row.id, 'failed', null, now())
      } catch (error) {
        this.log.warn(`cannot reconcile ${row.id}: ${(error as Error).message}`)
      }
    }
    await this.refresh()
    const live = new Map(this.records.live().map((row) => [row.id, row.revision]))
    const orphans = removeOrphanSecretFiles(this.paths, live)
    if (orphans) this.log.warn(`removed the secret files of ${orphans} deployment(s) no longer running`)
    this.log.info(`reconciled ${this.records.live().length} live deployment(s) with docker`)
  }

  // --- changing ------------------------------------------------------------------------------

  /** Runs `fn` after any other change to the same deployment has finished. */
  private serialize<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(fn)
    const settled = next.catch(() => undefined)
    this.locks.set(id, settled)
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id)
    })
    return next
  }

  async submit(input: SubmitInput): Promise<SubmitOutput> {
    const {image, name, command, refs, env, files, options, warnings} = checkSubmitInput(input)

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
      injected: [],
      containerId: null,
      state: 'starting',
      exitCode: null,
      revision: 1,
      createdAt: at,
      updatedAt: at,
    }
    return this.serialize(id, async () => {
      const launched = await this.launch(row, 'deployment.submitted', true)
      return {id, containerId: launched.containerId ?? '', state: launched.state, image, warnings}
    })
  }

  async resubmit(id: string): Promise<ResubmitOutput> {
    this.require(id)
    return this.serialize(id, async () => {
      const old = this.require(id)
      const next: DeploymentRow = {...old, revision: old.revision + 1, updatedAt: now()}
      const launched = await this.launch(next, 'deployment.resubmitted', false, old)
      return {
        id,
        containerId: launched.containerId ?? '',
        state: launched.state,
        image: launched.image,
        warnings: [],
        revision: launched.revision,
        previousContainerId: old.containerId,
      }
    })
  }

  /**
   * Resolves fresh values (failing before anything changes), then replaces `previous`'s container,
   * runs the new one and records it with the versions and keys it received.
   */
  private async launch(
    row: DeploymentRow,
    event: 'deployment.submitted' | 'deployment.resubmitted',
    isNew: boolean,
    previous?: DeploymentRow,
  ): Promise<DeploymentRow> {
    await this.vault.unlock()
    const resolved = resolveEnv(this.store, this.vault, row.refs, row.env, row.files, row.name)
    try {
      if (isNew) this.records.save(row)
      if (previous?.containerId) {
        if (isLive(previous.state)) await dockerStop(previous.containerId, DEFAULT_GRACE_SECONDS)
        await dockerRemove(previous.containerId)
      }
      let containerId: string
      try {
        const mounts = writeSecretFiles(this.paths, row.id, row.revision, resolved.files)
        containerId = await dockerRun(this.paths, {
          id: row.id,
          storeId: this.store.storeId,
          name: row.name,
          image: row.image,
          command: row.command,
          options: row.options,
          env: resolved.entries,
          mounts,
          redact: [...resolved.files, ...resolved.parts].map((item) => item.value),
        })
      } catch (error) {
        removeSecretFiles(this.paths, row.id)
        if (isNew) this.records.remove(row.id)
        else this.records.save({...row, containerId: null, state: 'failed', exitCode: null, updatedAt: now()})
        throw error
      }
      // The previous revision's files went with its container.
      removeSecretFiles(this.paths, row.id, {keep: row.revision})
      const at = now()
      const launched: DeploymentRow = {
        ...row,
        injected: resolved.injected,
        containerId,
        state: 'running',
        exitCode: null,
        updatedAt: at,
      }
      this.store.transaction(() => {
        this.records.save(launched)
        this.records.replaceValues(row.id, this.sealCopies(launched, resolved))
        const audited = launched.injected.length ? launched.injected : [undefined]
        for (const item of audited) {
          this.store.addAudit(
            {
              event,
              secret: item?.name ?? null,
              ...(item?.app ? {app: item.app} : {}),
              keys: item === undefined ? [] : shownKeys(item),
              version: item?.version ?? null,
              deployment: row.id,
            },
            at,
          )
        }
      })
      return launched
    } finally {
      wipeResolved(this.vault, resolved)
    }
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
    return copies.map((copy) => this.vault.encrypt(this.store.storeId, owner, copy.label, copy.value))
  }

  /** For a rotation of the data key (inside its transaction): every kept copy, re-encrypted. */
  reencryptCopies(reencrypt: Reencrypt): void {
    for (const row of this.records.list()) {
      const rows = this.records.values(row.id).map((cipher) => reencrypt(copiesOwner(row), cipher))
      if (rows.length > 0) this.records.replaceValues(row.id, rows)
    }
  }

  private openCopies(row: DeploymentRow): Uint8Array[] {
    const owner = copiesOwner(row)
    return this.records.values(row.id).map((cipher) => this.vault.decrypt(this.store.storeId, owner, cipher))
  }

  /** Stops the container (SIGTERM, SIGKILL after `graceSeconds`), removes it; state terminated. */
  async terminate(id: string, graceSeconds = DEFAULT_GRACE_SECONDS): Promise<DeploymentDetail> {
    this.require(id)
    return this.serialize(id, async () => {
      const row = this.require(id)
      if (row.containerId) {
        if (isLive(row.state)) await dockerStop(row.containerId, graceSeconds)
        await dockerRemove(row.containerId)
      }
      removeSecretFiles(this.paths, id)
      const at = now()
      const wasLive = row.state !== 'terminated'
      this.store.transaction(() => {
        this.records.replaceValues(id, [])
        this.records.setState(id, 'terminated', row.exitCode, at)
        if (wasLive) {
          this.store.addAudit(
            {event: 'deployment.terminated', secret: null, keys: [], version: null, deployment: id},
            at,
          )
        }
      })
      return this.detail(this.require(id))
    })
  }

  /** The container's output as frames, every injected value replaced by ***; with follow, an end frame. */
  async logs(id: string, follow: boolean): Promise<Readable> {
    const row = this.require(id)
    if (row.state === 'terminated' || !row.containerId) {
      throw new HushError(
        'deployment_not_found',
        `Deployment ${id} has no container (${row.state}): its logs are gone.`,
        {deployment: id},
      )
    }
    if (row.injected.length > 0) await this.vault.unlock()
    const values = row.injected.length > 0 ? this.openCopies(row) : []
    try {
      return redactedLogStream(row.containerId, values, follow, async () => {
        await this.refresh()
        const after = this.records.get(id) ?? row
        return {state: after.state, exitCode: after.exitCode}
      })
    } finally {
      for (const value of values) this.vault.wipe(value)
    }
  }
}

/** The keys a secret put in the container as users see them: env keys, or /run/secrets paths for files. */
function shownKeys(item: InjectedSecret): string[] {
  return item.mount === 'file' ? item.keys.map((key) => `${SECRET_FILES_TARGET}/${key}`) : item.keys
}

/** Per secret (one entry, in order): its env keys, then its files as /run/secrets paths. */
function deploymentSecrets(row: DeploymentRow): DeploymentSecret[] {
  const secrets: DeploymentSecret[] = []
  for (const item of row.injected) {
    const keys = shownKeys(item)
    const seen = secrets.find((secret) => secret.name === item.name && secret.version === item.version)
    if (seen) seen.keys = [...seen.keys, ...keys]
    else secrets.push({name: item.name, ...(item.app ? {app: item.app} : {}), keys, version: item.version})
  }
  return secrets
}

/** The secrets a deployment uses: referenced by `--secret`, `--secret-file` or an `--env` template. */
function usedSecrets(row: DeploymentRow): Set<string> {
  return new Set([
    ...row.refs.map((ref) => ref.name),
    ...row.files,
    ...Object.values(row.env).flatMap((value) => templateRefs(value).map((ref) => ref.name)),
  ])
}
