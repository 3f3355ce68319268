// The docker calls of Swarm deployments: is this engine a manager, Swarm secrets (created from
// stdin, listed and removed by label), and services (create with an env-file on tmpfs, rolling
// update, inspect with their tasks, logs, remove). Values never go in an argument list.
import {createHash} from 'node:crypto'
import {execa, type ResultPromise} from 'execa'
import type {SwarmTask} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {runOptionArgs} from '../../api/rules/run-options.js'
import {DOCKER} from '../../config/docker.js'
import type {HushPaths} from '../../config/paths.js'
import {
  dockerError,
  hushLabelArgs,
  LABEL_DEPLOYMENT,
  LABEL_REVISION,
  LABEL_STORE,
  type LaunchSpec,
  withEnvFile,
} from './containers.js'

export const LABEL_SECRET = 'hush.secret'
export const LABEL_VERSION = 'hush.version'
export const LABEL_KEY = 'hush.key'
/** The secret's row id: two secrets of one name (app scope, or deleted and made again) never share a Swarm secret. */
export const LABEL_SECRET_ID = 'hush.secret-id'

/** Swarm's own limit on a secret's size. */
export const MAX_SWARM_SECRET_BYTES = 500 * 1024
/** Swarm's limit on an object's name. */
const MAX_SWARM_NAME = 64
/** How long a new task is watched before a rolling update goes on, unless --update-monitor says otherwise. */
export const DEFAULT_UPDATE_MONITOR = '5s'

/** Checks that the agent's engine is a Swarm manager; else one line naming `docker swarm init`. */
export async function checkSwarmManager(): Promise<void> {
  const result = await execa(DOCKER, ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'], {
    stdin: 'ignore',
  }).catch((error: unknown) => {
    throw dockerError(error, 'docker info')
  })
  const [state, control] = result.stdout.trim().split(/\s+/)
  if (state !== 'active' || control !== 'true') {
    throw new HushError(
      'swarm_unavailable',
      `This docker engine is not a Swarm manager (swarm ${state || 'inactive'}${state === 'active' ? ', worker' : ''}): run \`docker swarm init\` here (or run hush on a manager), or submit without --swarm.`,
    )
  }
}

/** What one Swarm secret holds: one key of one version of one hush secret. */
export interface SwarmSecretOf {
  storeId: string
  name: string
  secretId: number
  version: number
  key: string
}

/**
 * `hush-<store>-<name>-v<version>-<key>` (store: the first 8 characters of its id). Swarm names
 * have at most 64 characters: a longer one is cut and ends with a hash of the whole.
 */
export function swarmSecretName(of: SwarmSecretOf): string {
  const full = `hush-${of.storeId.slice(0, 8)}-${of.name}-v${of.version}-${of.key}`
  if (full.length <= MAX_SWARM_NAME) return full
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10)
  return `${full.slice(0, MAX_SWARM_NAME - hash.length - 1)}-${hash}`
}

/** Refuses, before anything is created, a value over Swarm's secret size limit. */
export function checkSwarmSecretSize(key: string, value: Uint8Array): void {
  if (value.length > MAX_SWARM_SECRET_BYTES) {
    throw new HushError(
      'invalid_value',
      `The value of ${key} is ${value.length} bytes: a Swarm secret holds at most ${MAX_SWARM_SECRET_BYTES} bytes (500 KB).`,
    )
  }
}

/**
 * Creates the Swarm secret `name` with `value` on stdin (`docker secret create NAME -`). One that
 * exists with the same labels (a launch that died, another deployment of the same version) is used as is.
 */
export async function createSwarmSecret(name: string, of: SwarmSecretOf, value: Uint8Array): Promise<void> {
  checkSwarmSecretSize(of.key, value)
  const labels = {
    [LABEL_STORE]: of.storeId,
    [LABEL_SECRET]: of.name,
    [LABEL_VERSION]: String(of.version),
    [LABEL_KEY]: of.key,
    [LABEL_SECRET_ID]: String(of.secretId),
  }
  const args = ['secret', 'create', ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), name, '-']
  const result = await execa(DOCKER, args, {input: Buffer.from(value), reject: false})
  if (!result.failed) return
  if (/already exists|AlreadyExists/i.test(String(result.stderr))) {
    const same = await execa(DOCKER, ['secret', 'inspect', '--format', '{{json .Spec.Labels}}', name], {
      stdin: 'ignore',
      reject: false,
    })
    const found = same.failed ? {} : (JSON.parse(same.stdout) as Record<string, string>)
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return
    throw new HushError(
      'launch_failed',
      `A Swarm secret named ${name} exists and is not hush's for this secret version: remove it (\`docker secret rm ${name}\`) or rename the secret.`,
    )
  }
  throw dockerError(result, 'docker secret create', [value])
}

/** The Swarm secrets of this store: name -> labels. */
export async function listSwarmSecrets(storeId: string): Promise<Map<string, Record<string, string>>> {
  const result = await execa(
    DOCKER,
    ['secret', 'ls', '--filter', `label=${LABEL_STORE}=${storeId}`, '--format', '{{.Name}}'],
    {stdin: 'ignore'},
  ).catch((error: unknown) => {
    throw dockerError(error, 'docker secret ls')
  })
  const names = result.stdout.split('\n').filter(Boolean)
  const secrets = new Map<string, Record<string, string>>()
  if (names.length === 0) return secrets
  const inspected = await execa(DOCKER, ['secret', 'inspect', ...names], {stdin: 'ignore', reject: false})
  const specs = inspected.failed
    ? []
    : (JSON.parse(inspected.stdout) as {Spec: {Name: string; Labels?: Record<string, string>}}[])
  for (const spec of specs) secrets.set(spec.Spec.Name, spec.Spec.Labels ?? {})
  return secrets
}

/** Removes a Swarm secret; false when a service still uses it (docker refuses) or it is gone. */
export async function removeSwarmSecret(name: string): Promise<boolean> {
  const result = await execa(DOCKER, ['secret', 'rm', name], {stdin: 'ignore', reject: false})
  return !result.failed
}

/** A Swarm secret as a service mounts it. */
export interface SecretMount {
  source: string
  /** An absolute path in the container. */
  target: string
  uid?: number
  gid?: number
  mode: number
}

function secretArg(mount: SecretMount): string {
  const fields = [`source=${mount.source}`, `target=${mount.target}`]
  if (mount.uid !== undefined) fields.push(`uid=${mount.uid}`)
  if (mount.gid !== undefined) fields.push(`gid=${mount.gid}`)
  fields.push(`mode=${mount.mode.toString(8).padStart(4, '0')}`)
  return fields.join(',')
}

/** What a service revision runs: a container's launch spec, with Swarm secrets in place of host files. */
export interface ServiceSpec extends Omit<LaunchSpec, 'mounts' | 'context' | 'redact'> {
  secrets: SecretMount[]
  /** Every secret value of this revision, to scrub from docker's error output. */
  redact: Uint8Array[]
}

/** The labels and rolling-update settings every hush service gets. */
function serviceArgs(spec: ServiceSpec): string[] {
  return [
    ...hushLabelArgs('--label', spec, [LABEL_DEPLOYMENT, LABEL_STORE, LABEL_REVISION]),
    // Not hush.store: the local reconciliation (docker ps by store) must never see a task's container.
    ...hushLabelArgs('--container-label', spec, [LABEL_DEPLOYMENT, LABEL_REVISION]),
    '--update-failure-action',
    'rollback',
    ...(spec.options['update-monitor'] ? [] : ['--update-monitor', DEFAULT_UPDATE_MONITOR]),
  ]
}

/**
 * `docker service create --detach --env-file FILE --secret ... IMAGE CMD...` (the env-file on
 * tmpfs, removed as soon as docker returns). Returns the service id.
 */
export async function serviceCreate(paths: HushPaths, spec: ServiceSpec): Promise<string> {
  try {
    return await withEnvFile(paths, spec.id, spec.env, async (envArgs, clientEnv) => {
      const args = [
        'service',
        'create',
        '--detach',
        '--quiet',
        '--no-resolve-image',
        ...envArgs,
        ...serviceArgs(spec),
        ...(spec.name ? ['--name', spec.name] : []),
        ...spec.secrets.flatMap((mount) => ['--secret', secretArg(mount)]),
        ...runOptionArgs(spec.options, 'swarm'),
        spec.image,
        ...spec.command,
      ]
      const result = await execa(DOCKER, args, {env: clientEnv, stdin: 'ignore'})
      return result.stdout.trim().split('\n').pop() ?? ''
    })
  } catch (error) {
    if (error instanceof HushError || (error as NodeJS.ErrnoException).code === 'ENOSPC') throw error
    throw dockerError(error, 'docker service create', spec.redact)
  }
}

/**
 * What a rolling update starts from: the Swarm secrets and env keys of the service's spec (by a
 * Go template, never an env value) and when its last update started (null: never). One docker call.
 */
export interface UpdateBase {
  secrets: string[]
  envKeys: string[]
  updateStartedAt: string | null
}

const UPDATE_BASE_FORMAT = [
  '{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}secret {{.SecretName}}{{"\\n"}}{{end}}',
  '{{range .Spec.TaskTemplate.ContainerSpec.Env}}env {{index (split . "=") 0}}{{"\\n"}}{{end}}',
  'update {{json .UpdateStatus}}',
].join('')

/** The service's UpdateBase; undefined when the service is gone. */
export async function updateBase(serviceId: string): Promise<UpdateBase | undefined> {
  const result = await execa(DOCKER, ['service', 'inspect', '--format', UPDATE_BASE_FORMAT, serviceId], {
    stdin: 'ignore',
    reject: false,
  })
  if (result.failed) {
    if (/no such service|not found/i.test(String(result.stderr))) return undefined
    throw dockerError(result, 'docker service inspect')
  }
  const base: UpdateBase = {secrets: [], envKeys: [], updateStartedAt: null}
  for (const line of String(result.stdout).split('\n')) {
    const [kind, ...rest] = line.split(' ')
    const text = rest.join(' ')
    if (kind === 'secret' && text) base.secrets.push(text)
    else if (kind === 'env' && text) base.envKeys.push(text)
    else if (kind === 'update') base.updateStartedAt = updateStatusOf(text).startedAt
  }
  return base
}

/** docker's `{{json .UpdateStatus}}` (the text `null` when the service was never updated). */
function updateStatusOf(json: string): {state: string | null; message: string | null; startedAt: string | null} {
  const status = (JSON.parse(json || 'null') ?? {}) as {State?: string; Message?: string; StartedAt?: string}
  return {state: status.State ?? null, message: status.Message ?? null, startedAt: status.StartedAt ?? null}
}

/**
 * Starts a rolling `docker service update` from `base` to revision `spec`: Swarm secrets swapped
 * (`--secret-rm`/`--secret-add`), every env value given again as `--env-add KEY` (the value
 * travels in the docker client's own environment: `service update` takes no env-file), keys no
 * longer set removed. Returns once docker accepted it (detached); see waitForUpdate.
 */
export async function serviceUpdate(serviceId: string, base: UpdateBase, spec: ServiceSpec): Promise<void> {
  const previous = base
  const keys = new Set(spec.env.map((entry) => entry.key))
  // fromEntries defines own properties: a `__proto__` key reaches docker like any other.
  const clientEnv = Object.fromEntries(spec.env.map((entry) => [entry.key, Buffer.from(entry.value).toString('utf8')]))
  const args = [
    'service',
    'update',
    '--detach',
    '--quiet',
    '--no-resolve-image',
    ...hushLabelArgs('--label-add', spec, [LABEL_REVISION]),
    ...hushLabelArgs('--container-label-add', spec, [LABEL_REVISION]),
    '--update-failure-action',
    'rollback',
    '--update-monitor',
    spec.options['update-monitor'] ?? DEFAULT_UPDATE_MONITOR,
    ...previous.secrets.flatMap((name) => ['--secret-rm', name]),
    ...spec.secrets.flatMap((mount) => ['--secret-add', secretArg(mount)]),
    ...previous.envKeys.filter((key) => !keys.has(key)).flatMap((key) => ['--env-rm', key]),
    ...spec.env.flatMap((entry) => ['--env-add', entry.key]),
    serviceId,
  ]
  await execa(DOCKER, args, {env: clientEnv, stdin: 'ignore'}).catch((error: unknown) => {
    throw dockerError(error, 'docker service update', spec.redact)
  })
}

/** What `status` shows of a service: replicas, current tasks, update state. */
export interface ServiceView {
  serviceId: string
  /** The hush.revision label of the service's spec (after a rollback: the previous one). */
  revision: number | null
  desired: number
  tasks: SwarmTask[]
  update: {state: string | null; message: string | null}
  /** When docker started the last update (null: never): tells a new update from the previous one. */
  updateStartedAt: string | null
}

interface ServiceInspect {
  ID: string
  Spec: {Labels?: Record<string, string>; Mode?: {Replicated?: {Replicas?: number}}}
  UpdateStatus?: {State?: string; Message?: string; StartedAt?: string}
}

interface TaskInspect {
  ID: string
  Slot?: number
  NodeID?: string
  CreatedAt: string
  DesiredState: string
  Status: {State: string; Err?: string}
  Spec: {ContainerSpec?: {Labels?: Record<string, string>}}
}

function revisionOf(labels: Record<string, string> | undefined): number | null {
  const text = labels?.[LABEL_REVISION] ?? ''
  return /^\d+$/.test(text) ? Number(text) : null
}

/** A service with its current tasks (per slot: the one meant to run, else the newest); undefined when gone. */
export async function inspectService(serviceId: string): Promise<ServiceView | undefined> {
  const service = await execa(DOCKER, ['service', 'inspect', serviceId], {stdin: 'ignore', reject: false})
  if (service.failed) {
    if (/no such service|not found/i.test(String(service.stderr))) return undefined
    throw dockerError(service, 'docker service inspect')
  }
  const [spec] = JSON.parse(service.stdout) as ServiceInspect[]
  if (!spec) return undefined
  const ps = await execa(DOCKER, ['service', 'ps', '--no-trunc', '--format', '{{.ID}}\t{{.Node}}', serviceId], {
    stdin: 'ignore',
    reject: false,
  })
  const nodes = new Map(
    String(ps.stdout)
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string]),
  )
  const tasks: TaskInspect[] = []
  if (nodes.size > 0) {
    const inspected = await execa(DOCKER, ['inspect', '--type', 'task', ...nodes.keys()], {
      stdin: 'ignore',
      reject: false,
    })
    if (!inspected.failed) tasks.push(...(JSON.parse(inspected.stdout) as TaskInspect[]))
  }
  const bySlot = new Map<string, TaskInspect>()
  for (const task of tasks) {
    const slot = String(task.Slot ?? task.NodeID ?? task.ID)
    const seen = bySlot.get(slot)
    const better =
      !seen ||
      (task.DesiredState === 'running') > (seen.DesiredState === 'running') ||
      ((task.DesiredState === 'running') === (seen.DesiredState === 'running') && task.CreatedAt > seen.CreatedAt)
    if (better) bySlot.set(slot, task)
  }
  return {
    serviceId: spec.ID,
    revision: revisionOf(spec.Spec.Labels),
    desired: spec.Spec.Mode?.Replicated?.Replicas ?? 1,
    tasks: [...bySlot.values()]
      .sort((a, b) => (a.Slot ?? 0) - (b.Slot ?? 0))
      .map((task) => ({
        id: task.ID,
        node: nodes.get(task.ID) ?? '',
        state: task.Status.State,
        revision: revisionOf(task.Spec.ContainerSpec?.Labels),
        error: task.Status.Err || null,
      })),
    update: {state: spec.UpdateStatus?.State ?? null, message: spec.UpdateStatus?.Message ?? null},
    updateStartedAt: spec.UpdateStatus?.StartedAt ?? null,
  }
}

/** Update states after which a rolling update is over (or stuck until someone acts). */
const UPDATE_DONE = ['completed', 'paused', 'rollback_completed', 'rollback_paused']
/** How often a rolling update's state is read: one `docker service inspect --format` each time. */
const UPDATE_POLL_MS = 250

/** True when no rolling update of the service is under way (none ever ran, or the last is over). */
export function updateSettled(view: ServiceView): boolean {
  return view.update.state === null || UPDATE_DONE.includes(view.update.state)
}

/**
 * Polls docker's UpdateStatus of the service until the rolling update started after
 * `startedBefore` (the start of the previous update, if any) is over; then the service's full
 * view with its tasks (undefined when the service went).
 */
export async function waitForUpdate(serviceId: string, startedBefore: string | null): Promise<ServiceView | undefined> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, UPDATE_POLL_MS))
    const result = await execa(DOCKER, ['service', 'inspect', '--format', '{{json .UpdateStatus}}', serviceId], {
      stdin: 'ignore',
      reject: false,
    })
    if (result.failed) {
      if (/no such service|not found/i.test(String(result.stderr))) return undefined
      throw dockerError(result, 'docker service inspect')
    }
    const status = updateStatusOf(String(result.stdout).trim())
    const fresh = status.startedAt !== null && status.startedAt !== startedBefore
    if (fresh && status.state !== null && UPDATE_DONE.includes(status.state)) return inspectService(serviceId)
  }
}

/** The services of this store (by label): id, deployment and revision labels. */
export async function listStoreServices(
  storeId: string,
): Promise<{id: string; deployment: string; revision: number | null}[]> {
  const format = `{{.ID}}\t{{index .Spec.Labels "${LABEL_DEPLOYMENT}"}}\t{{index .Spec.Labels "${LABEL_REVISION}"}}`
  const ids = await execa(DOCKER, ['service', 'ls', '-q', '--filter', `label=${LABEL_STORE}=${storeId}`], {
    stdin: 'ignore',
  }).catch((error: unknown) => {
    throw dockerError(error, 'docker service ls')
  })
  const list = ids.stdout.split('\n').filter(Boolean)
  if (list.length === 0) return []
  const result = await execa(DOCKER, ['service', 'inspect', '--format', format, ...list], {
    stdin: 'ignore',
    reject: false,
  })
  return String(result.stdout)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', deployment = '', revision = ''] = line.split('\t')
      return {id, deployment, revision: /^\d+$/.test(revision) ? Number(revision) : null}
    })
}

/** Removes a service (its tasks stop); one already gone is fine. */
export async function serviceRemove(serviceId: string): Promise<void> {
  const result = await execa(DOCKER, ['service', 'rm', serviceId], {stdin: 'ignore', reject: false}).catch(
    (error: unknown) => {
      throw dockerError(error, 'docker service rm')
    },
  )
  if (result.failed && !/not found|no such service/i.test(String(result.stderr)))
    throw dockerError(result, 'docker service rm')
}

/**
 * `docker service logs --raw [--follow]` as a child whose stdout and stderr are the tasks'. Raw:
 * without it docker writes its task prefix (`name.1@node | `) before each piece of a line it cut
 * at its 16 KiB buffer, so inside a value, which the redactor would then never see whole.
 */
export function serviceLogs(serviceId: string, follow: boolean): ResultPromise<{buffer: false; stdin: 'ignore'}> {
  return execa(DOCKER, ['service', 'logs', '--raw', ...(follow ? ['--follow'] : []), serviceId], {
    buffer: false,
    stdin: 'ignore',
  })
}
