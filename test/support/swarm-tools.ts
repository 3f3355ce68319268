// What the Swarm tests read straight from docker (never through hush): a service's tasks and
// their containers on a node's own engine, a task's files and environment, the Swarm secrets a
// store made; and the cleanup of everything a test store left in the swarm.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll} from 'vitest'
import {dockerAvailable, partAvailable, testFileName} from './docker.js'
import {isAlive, waitFor} from './helpers.js'
import {swarmClusterProblem} from './swarm-cluster.js'
import {swarmInfo} from './swarm-engine.js'

/** `docker ...` against one engine: the test engine when `host` is undefined, else `-H host`. */
export type Docker = (args: string[], input?: string) => Promise<{stdout: string; stderr: string; exitCode: number}>

export function dockerAt(host?: string): Docker {
  return async (args, input) => {
    const result = await execa('docker', [...(host ? ['-H', host] : []), ...args], {
      reject: false,
      ...(input === undefined ? {stdin: 'ignore' as const} : {input}),
    })
    return {stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1}
  }
}

/** The test engine (the manager). */
export const manager = dockerAt()

export interface SwarmTask {
  ID: string
  NodeID: string
  DesiredState: string
  Status: {State: string; Err?: string; ContainerStatus?: {ContainerID?: string}}
  Spec: {ContainerSpec: {Labels?: Record<string, string>}}
}

/** The service's tasks as the manager lists them (all, or those meant to run). */
export async function serviceTasks(service: string, {running = false} = {}): Promise<SwarmTask[]> {
  const ids = await manager([
    'service',
    'ps',
    '-q',
    '--no-trunc',
    ...(running ? ['--filter', 'desired-state=running'] : []),
    service,
  ])
  const list = ids.stdout.split('\n').filter(Boolean)
  if (ids.exitCode !== 0 || list.length === 0) return []
  const inspected = await manager(['inspect', '--type', 'task', ...list])
  return inspected.exitCode === 0 ? (JSON.parse(inspected.stdout) as SwarmTask[]) : []
}

/** Waits until `count` tasks of the service run and satisfy `check`; returns them. */
export async function waitForTasks(
  service: string,
  count: number,
  check: (task: SwarmTask) => boolean = () => true,
  timeoutMs = 180_000,
): Promise<SwarmTask[]> {
  let tasks: SwarmTask[] = []
  await waitFor(async () => {
    tasks = (await serviceTasks(service, {running: true})).filter((task) => task.Status.State === 'running')
    return tasks.length === count && tasks.every(check)
  }, timeoutMs).catch(async () => {
    const all = await serviceTasks(service)
    const seen = all.map((task) => `${task.DesiredState}/${task.Status.State} ${task.Status.Err ?? ''}`).join('; ')
    throw new Error(`service ${service}: ${count} running tasks expected, saw: ${seen}`)
  })
  return tasks
}

/** The running container ids of the service on one engine (a node sees only its own tasks). */
export async function containersOn(docker: Docker, service: string): Promise<string[]> {
  const result = await docker([
    'ps',
    '-q',
    '--no-trunc',
    '--filter',
    `label=com.docker.swarm.service.id=${service}`,
    '--filter',
    'status=running',
  ])
  return result.stdout.split('\n').filter(Boolean)
}

/** `cat FILE` inside a container of that engine. */
export async function readInside(docker: Docker, container: string, file: string): Promise<string> {
  const result = await docker(['exec', container, 'cat', file])
  if (result.exitCode !== 0) throw new Error(`cat ${file} in ${container}: ${result.stderr.trim()}`)
  return result.stdout
}

/** The value of env var KEY inside a container of that engine, or undefined when unset. */
export async function envInside(docker: Docker, container: string, key: string): Promise<string | undefined> {
  const result = await docker(['exec', container, 'sh', '-c', `[ -n "\${${key}+x}" ] && printf %s "$${key}"`])
  return result.exitCode === 0 ? result.stdout : undefined
}

export interface ServiceSpec {
  Name: string
  Labels: Record<string, string>
  TaskTemplate: {
    ContainerSpec: {
      Env?: string[]
      Labels?: Record<string, string>
      Secrets?: Array<{
        SecretName: string
        SecretID: string
        File: {Name: string; UID: string; GID: string; Mode: number}
      }>
    }
  }
  Mode: {Replicated?: {Replicas: number}}
}

export interface ServiceFacts {
  ID: string
  Spec: ServiceSpec
  /** The spec a rollback returns to. */
  PreviousSpec?: ServiceSpec
  UpdateStatus?: {State: string; Message: string}
}

export async function inspectService(service: string): Promise<ServiceFacts | undefined> {
  const result = await manager(['service', 'inspect', service])
  return result.exitCode === 0 ? (JSON.parse(result.stdout) as ServiceFacts[])[0] : undefined
}

export interface SwarmSecretFacts {
  ID: string
  Spec: {Name: string; Labels: Record<string, string>}
}

/** The Swarm secrets labelled with the store (those hush made for it). */
export async function storeSwarmSecrets(storeId: string): Promise<SwarmSecretFacts[]> {
  const ids = await manager(['secret', 'ls', '-q', '--filter', `label=hush.store=${storeId}`])
  const list = ids.stdout.split('\n').filter(Boolean)
  if (list.length === 0) return []
  const inspected = await manager(['secret', 'inspect', ...list])
  return inspected.exitCode === 0 ? (JSON.parse(inspected.stdout) as SwarmSecretFacts[]) : []
}

/** The full ids of the services labelled with the store (`service ls` shortens them). */
export async function storeServices(storeId: string): Promise<string[]> {
  const ids = await manager(['service', 'ls', '-q', '--filter', `label=hush.store=${storeId}`])
  const list = ids.stdout.split('\n').filter(Boolean)
  if (list.length === 0) return []
  const full = await manager(['service', 'inspect', '--format', '{{.ID}}', ...list])
  return full.stdout.split('\n').filter(Boolean)
}

/**
 * After a test: removes the store's services, then its Swarm secrets once no task uses them (a
 * secret in use cannot be removed), and the `extra` services and secrets a test made by hand.
 */
export async function removeSwarmObjects(
  storeId: string | undefined,
  extra: {services?: string[]; secrets?: string[]} = {},
): Promise<void> {
  const services = [...(storeId ? await storeServices(storeId) : []), ...(extra.services ?? [])]
  if (services.length) await manager(['service', 'rm', ...services])
  const secretIds = async () => [
    ...(storeId ? (await storeSwarmSecrets(storeId)).map((secret) => secret.ID) : []),
    ...(extra.secrets ?? []),
  ]
  await waitFor(async () => {
    const left = await secretIds()
    if (left.length === 0) return true
    await manager(['secret', 'rm', ...left])
    return (await Promise.all(left.map((id) => manager(['secret', 'inspect', id])))).every(
      (result) => result.exitCode !== 0,
    )
  }, 60_000).catch(() => undefined)
}

/**
 * For a Swarm test file: true when the test engine is a swarm manager (the global setup makes it
 * one); without one, partAvailable decides (a loud skip locally, a failure under CI=true).
 */
export async function swarmAvailable(file: string): Promise<boolean> {
  const problem = await swarmInfo()
    .then((info) => (info.manager ? undefined : `the Docker engine is no swarm manager (swarm ${info.state})`))
    .catch((error: Error) => `docker does not answer: ${error.message.split('\n')[0]}`)
  return partAvailable(file, 'the Swarm tests', problem)
}

/** A Swarm deployment as `hush status ID --json` shows it: what a local one has, plus the Swarm fields. */
export interface SwarmDeployment {
  id: string
  name: string | null
  image: string
  state: string
  revision: number
  stale: boolean
  target: string
  serviceId: string
  containerId: string | null
  env: Record<string, string>
  secrets: Array<{name: string; keys: string[]; version: number}>
  replicas: {running: number; desired: number}
  tasks: Array<{id: string; node: string; state: string; revision: number; error: string | null}>
  update: {state: string | null; message: string | null}
}

/** The deployment id a plain (not --json) `hush submit` prints: its one line on stdout. */
export function deploymentId(stdout: string): string {
  const id = stdout.trim()
  if (!/^d-[0-9a-f]{8}$/.test(id)) throw new Error(`submit printed no deployment id: ${JSON.stringify(stdout)}`)
  return id
}

/**
 * A HUSH_DOCKER program that sends every docker command of an agent to the engine at `host` (a
 * real engine: hush cannot reach another one with --swarm, which takes no --context).
 */
export function dockerFor(host: string): {path: string; remove(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'hush-docker-for-'))
  const path = join(dir, 'docker')
  writeFileSync(path, `#!/bin/sh\nexec docker -H '${host}' "$@"\n`, {mode: 0o755})
  return {path, remove: () => rmSync(dir, {recursive: true, force: true})}
}

const SWARM_LOCK = join(tmpdir(), 'hush-test-swarm.lock')

/**
 * Holds the test swarm for one test file until the returned release runs. vitest runs two files
 * at once, and the swarm is the engine's: a second node joined by one file would take the tasks
 * of another's services (and its `--replicas-max-per-node` slots), so the Swarm files take turns.
 * A lock left by a test process that died is taken over.
 */
export async function holdSwarm(): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(SWARM_LOCK)
      writeFileSync(join(SWARM_LOCK, 'pid'), String(process.pid))
      return () => rmSync(SWARM_LOCK, {recursive: true, force: true})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let holder = Number.NaN
    try {
      holder = Number(readFileSync(join(SWARM_LOCK, 'pid'), 'utf8'))
    } catch {
      // Being written, or being removed: look again.
    }
    if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) rmSync(SWARM_LOCK, {recursive: true, force: true})
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

/** Registers, in the calling test file, hooks that hold the swarm (holdSwarm) for the whole file. */
export function takeSwarmTurns(): void {
  let release: (() => void) | undefined
  beforeAll(async () => {
    release = await holdSwarm()
  }, 30 * 60_000)
  afterAll(() => release?.())
}

/**
 * The preamble of a Swarm test file: the file takes its turn on the swarm (takeSwarmTurns), and the
 * answer is whether its tests run: docker answers and the engine is a swarm manager (dockerAvailable,
 * swarmAvailable) and, with `twoNodes`, a second node can join it (swarmClusterProblem). Locally a
 * missing part is partAvailable's to decide. FILE: its `import.meta.url`.
 */
export async function swarmTestFile(fileUrl: string, {twoNodes = false} = {}): Promise<boolean> {
  const file = testFileName(fileUrl)
  takeSwarmTurns()
  if (!(await dockerAvailable(file)) || !(await swarmAvailable(file))) return false
  const problem = twoNodes ? await swarmClusterProblem() : undefined
  return partAvailable(file, 'the two-node Swarm tests', problem)
}
