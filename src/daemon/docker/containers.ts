// The one place `docker` runs: the env-file on tmpfs (0700 dir, 0600 file created exclusively,
// removed as soon as docker returns; secret-files.ts keeps its files in the same private dir),
// `docker run` itself, and the inspect/rm/logs/wait calls.
// Secret values never go in an argument list; docker's error output is scrubbed of them.
import {randomBytes} from 'node:crypto'
import {closeSync, lstatSync, openSync, readdirSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {execa, type ResultPromise} from 'execa'
import {HushError} from '../../api/errors.js'
import {isSession, type RunOptions, runOptionArgs} from '../../api/rules/run-options.js'
import {DOCKER, dockerMissing, engineArgs} from '../../config/docker.js'
import {ensureUserDir, envFileDir, type HushPaths, isTmpfs} from '../../config/paths.js'
import {checkClientEnv} from './client-env.js'
import {scrub} from './redact.js'

/** docker reads an env-file with a line scanner whose buffer is 64 KiB, newline included. */
const MAX_ENV_FILE_LINE = 64 * 1024 - 1

/** One variable of the container's environment. `secret` names where a secret value came from. */
export interface EnvEntry {
  key: string
  value: Uint8Array
  secret?: string
}

export const LABEL_DEPLOYMENT = 'hush.deployment'
export const LABEL_STORE = 'hush.store'
/** The deployment revision a container was launched for: reconciliation keeps only the recorded one. */
export const LABEL_REVISION = 'hush.revision'

/** Creates the env-file directory (and its hush-UID parent) private, and checks it is still on tmpfs. */
export function prepareEnvFileDir(paths: HushPaths): string {
  const dir = envFileDir(paths)
  ensureUserDir(dir)
  if (!isTmpfs(dir)) throw new HushError('no_tmpfs', `${dir} is not on tmpfs: refusing to write an env-file there.`)
  return dir
}

/** `error` with `path` = `dir` when it has none (a write to a file descriptor names no path), to say where space ran out. */
export function inDirectory(error: unknown, dir: string): unknown {
  const failure = error as NodeJS.ErrnoException
  if (failure && typeof failure === 'object' && failure.path === undefined) failure.path = dir
  return error
}

/** Removes env-files a killed agent left behind. Returns how many. */
export function removeLeftoverEnvFiles(paths: HushPaths): number {
  let dir: string
  try {
    dir = envFileDir(paths)
    if (!lstatSync(dir).isDirectory()) return 0
  } catch {
    return 0
  }
  let removed = 0
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.env')) continue
    rmSync(join(dir, file), {force: true})
    removed++
  }
  return removed
}

/** Values docker's env-file cannot carry (a line break, or a line over docker's limit) go through its environment. */
function needsClientEnv(entry: EnvEntry): boolean {
  return (
    entry.value.includes(0x0a) ||
    entry.value.includes(0x0d) ||
    entry.key.length + 1 + entry.value.length > MAX_ENV_FILE_LINE
  )
}

/**
 * Refuses, before anything is recorded or run, an environment docker cannot carry: a NUL byte,
 * text that is not UTF-8, a value that must travel through the docker client's environment under
 * a key that would reconfigure the client, or a client environment the kernel would refuse (E2BIG).
 */
export function checkLaunchable(entries: EnvEntry[]): void {
  for (const entry of entries) {
    if (entry.value.includes(0)) {
      throw new HushError('invalid_value', `The value of ${entry.key} contains a NUL byte: docker cannot pass it.`)
    }
    try {
      new TextDecoder('utf-8', {fatal: true}).decode(entry.value)
    } catch {
      throw new HushError('invalid_value', `The value of ${entry.key} is not valid UTF-8: docker cannot pass it.`)
    }
  }
  checkClientEnv(entries.filter(needsClientEnv).map((entry) => ({key: entry.key, bytes: entry.value.length})))
}

export interface LaunchSpec {
  id: string
  revision: number
  storeId: string
  name: string | null
  image: string
  command: string[]
  options: RunOptions
  env: EnvEntry[]
  /** Host files bind-mounted read-only (secret files: the paths are not secret). */
  mounts?: FileMount[]
  /** Other secret values to scrub from docker's error output (secret files, template parts). */
  redact?: Uint8Array[]
  /** The docker context of the engine (null: the agent's own). */
  context?: string | null
}

export interface FileMount {
  source: string
  target: string
}

/** `--mount type=bind,...,readonly`; a field holding a comma or a quote is quoted the CSV way, as docker parses it. */
export function mountArg(mount: FileMount): string {
  const field = (text: string) => (/[,"]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text)
  return `--mount=type=bind,${field(`source=${mount.source}`)},${field(`target=${mount.target}`)},readonly`
}

export function secretValues(entries: EnvEntry[]): Uint8Array[] {
  return entries.filter((entry) => entry.secret !== undefined).map((entry) => entry.value)
}

/** A failed docker call as a HushError: docker missing or unreachable, or its (scrubbed) message. */
export function dockerError(error: unknown, what: string, values: Uint8Array[] = []): HushError {
  const failure = error as {code?: string; stderr?: string; shortMessage?: string}
  if (failure.code === 'ENOENT') return dockerMissing()
  const stderr = scrub(String(failure.stderr ?? failure.shortMessage ?? ''), values)
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i.test(stderr)) {
    return new HushError(
      'docker_unavailable',
      `The Docker engine is not reachable (${firstLine(stderr)}): start dockerd, or check DOCKER_HOST and your access to the docker socket.`,
    )
  }
  const message = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("Run 'docker run --help'") && !line.startsWith('See '))
    .join(' ')
  return new HushError('launch_failed', `${what} failed: ${message || 'docker gave no reason'}`, {dockerStderr: stderr})
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}

/** `FLAG hush.x=...` for each of the given hush labels of a deployment revision (containers and services). */
export function hushLabelArgs(
  flag: string,
  spec: {id: string; storeId: string; revision: number},
  labels: string[],
): string[] {
  const values: Record<string, string> = {
    [LABEL_DEPLOYMENT]: spec.id,
    [LABEL_STORE]: spec.storeId,
    [LABEL_REVISION]: String(spec.revision),
  }
  return labels.flatMap((label) => [flag, `${label}=${values[label]}`])
}

/**
 * Runs `call(envArgs, clientEnv)` with `env` on its way to docker: `envArgs` is `--env-file FILE`
 * (a 0600 file on tmpfs, removed as soon as `call` returns) plus `-e KEY` for the values the file
 * cannot carry, which travel in `clientEnv`, the docker client's own environment. `env` was
 * checked once, with checkLaunchable, by the target's `check` before anything was recorded (the
 * `_FILE` entries added since are secret-file paths: text, one line, short).
 */
export async function withEnvFile<T>(
  paths: HushPaths,
  id: string,
  env: EnvEntry[],
  call: (envArgs: string[], clientEnv: Record<string, string>) => Promise<T>,
): Promise<T> {
  const dir = prepareEnvFileDir(paths)
  const viaClient = env.filter(needsClientEnv)
  const inFile = env.filter((entry) => !needsClientEnv(entry))
  const file = join(dir, `${id}-${randomBytes(6).toString('hex')}.env`)
  const parts: Buffer[] = []
  for (const entry of inFile) parts.push(Buffer.from(`${entry.key}=`), Buffer.from(entry.value), Buffer.from('\n'))
  const content = Buffer.concat(parts)
  // fromEntries defines own properties: a `__proto__` key reaches docker like any other.
  const clientEnv = Object.fromEntries(viaClient.map((entry) => [entry.key, Buffer.from(entry.value).toString('utf8')]))
  try {
    try {
      const fd = openSync(file, 'wx', 0o600)
      try {
        writeSync(fd, content)
      } finally {
        closeSync(fd)
      }
    } catch (error) {
      throw inDirectory(error, dir)
    } finally {
      content.fill(0)
      for (const part of parts) part.fill(0)
    }
    return await call(['--env-file', file, ...viaClient.flatMap((entry) => ['-e', entry.key])], clientEnv)
  } finally {
    rmSync(file, {force: true})
  }
}

/**
 * Runs `docker run -d --env-file FILE --label ... IMAGE CMD...`. The env-file lives on tmpfs only
 * while docker runs; values it cannot carry travel in the docker client's environment (`-e KEY`).
 */
export async function dockerRun(paths: HushPaths, spec: LaunchSpec): Promise<string> {
  try {
    return await withEnvFile(paths, spec.id, spec.env, async (envArgs, clientEnv) => {
      const args = [
        ...engineArgs(spec.context),
        // A session's container is created here and started by the CLI, attached to its terminal.
        ...(isSession(spec.options) ? ['create'] : ['run', '-d']),
        ...envArgs,
        ...hushLabelArgs('--label', spec, [LABEL_DEPLOYMENT, LABEL_STORE, LABEL_REVISION]),
        ...(spec.name ? ['--name', spec.name] : []),
        ...(spec.mounts ?? []).map(mountArg),
        ...runOptionArgs(spec.options),
        spec.image,
        ...spec.command,
      ]
      const result = await execa(DOCKER, args, {env: clientEnv, stdin: 'ignore'})
      return result.stdout.trim().split('\n').pop() ?? ''
    })
  } catch (error) {
    if (error instanceof HushError || (error as NodeJS.ErrnoException).code === 'ENOSPC') throw error
    throw dockerError(error, 'docker run', [...secretValues(spec.env), ...(spec.redact ?? [])])
  }
}

export interface ContainerState {
  id: string
  status: string
  exitCode: number
  running: boolean
}

/** A container of this store as `docker ps -a` lists it, with its hush labels. */
export interface StoreContainer {
  id: string
  deployment: string
  /** The hush.revision label; null on a container launched before hush labelled revisions. */
  revision: number | null
  state: ContainerState
}

/** docker ps's "Exited (137) 3 seconds ago" -> 137. */
function exitCodeOf(status: string): number {
  const match = /^Exited \((-?\d+)\)/.exec(status)
  return match ? Number(match[1]) : 0
}

/** Every container carrying `hush.store=STORE` (running or not), in one `docker ps -a`. */
export async function dockerListStore(storeId: string, context?: string | null): Promise<StoreContainer[]> {
  const format = `{{.ID}}\t{{.Label "${LABEL_DEPLOYMENT}"}}\t{{.Label "${LABEL_REVISION}"}}\t{{.State}}\t{{.Status}}`
  const result = await execa(
    DOCKER,
    [
      ...engineArgs(context),
      'ps',
      '-a',
      '--no-trunc',
      '--filter',
      `label=${LABEL_STORE}=${storeId}`,
      '--format',
      format,
    ],
    {stdin: 'ignore'},
  ).catch((error: unknown) => {
    throw dockerError(error, 'docker ps')
  })
  const containers: StoreContainer[] = []
  for (const line of result.stdout.split('\n')) {
    const [id, deployment, revision, status, text] = line.split('\t')
    if (!id || !status) continue
    containers.push({
      id,
      deployment: deployment ?? '',
      revision: /^\d+$/.test(revision ?? '') ? Number(revision) : null,
      state: {
        id,
        status,
        exitCode: status === 'exited' ? exitCodeOf(text ?? '') : 0,
        running: ['running', 'paused', 'restarting'].includes(status),
      },
    })
  }
  return containers
}

/**
 * Removes every container of one deployment revision: after a failed `docker run`, the one docker
 * created but could not start (it holds the values in its config). Returns how many went.
 */
export async function dockerRemoveRevision(
  storeId: string,
  id: string,
  revision: number,
  context?: string | null,
): Promise<number> {
  const found = await dockerListStore(storeId, context)
  const doomed = found.filter((container) => container.deployment === id && container.revision === revision)
  for (const container of doomed) await dockerRemove(container.id, context)
  return doomed.length
}

/** Asks a container to stop (SIGTERM, then SIGKILL after `graceSeconds`); one already gone or stopped is fine. */
export async function dockerStop(containerId: string, graceSeconds: number, context?: string | null): Promise<void> {
  const result = await execa(DOCKER, [...engineArgs(context), 'stop', '--time', String(graceSeconds), containerId], {
    reject: false,
    stdin: 'ignore',
  })
  if (result.failed && !/No such container/i.test(result.stderr)) throw dockerError(result, 'docker stop')
}

/** Stops and removes a container with its anonymous volumes (`rm -f -v`); one that is already gone is fine. */
export async function dockerRemove(containerId: string, context?: string | null): Promise<void> {
  const result = await execa(DOCKER, [...engineArgs(context), 'rm', '-f', '-v', containerId], {
    reject: false,
    stdin: 'ignore',
  }).catch((error: unknown) => {
    throw dockerError(error, 'docker rm')
  })
  if (result.failed && !/No such container/i.test(result.stderr)) throw dockerError(result, 'docker rm')
}

/** Waits for a container to stop; its exit code, or null when docker no longer knows it. */
export async function dockerWait(containerId: string, context?: string | null): Promise<number | null> {
  const result = await execa(DOCKER, [...engineArgs(context), 'wait', containerId], {reject: false, stdin: 'ignore'})
  const code = Number(result.stdout.trim())
  return result.failed || !Number.isInteger(code) ? null : code
}

/** `docker logs [--follow]` as a child whose stdout and stderr are the container's. */
export function dockerLogs(
  containerId: string,
  follow: boolean,
  context?: string | null,
): ResultPromise<{buffer: false; stdin: 'ignore'}> {
  return execa(DOCKER, [...engineArgs(context), 'logs', ...(follow ? ['--follow'] : []), containerId], {
    buffer: false,
    stdin: 'ignore',
  })
}

/**
 * Whether docker tried and failed to start a created container (`docker start` failed: the
 * command is missing, the user unknown...), with docker's exit code; undefined while it was never
 * tried (or docker no longer knows it).
 */
export async function dockerStartFailure(
  containerId: string,
  context?: string | null,
): Promise<{exitCode: number | null} | undefined> {
  const result = await execa(
    DOCKER,
    [...engineArgs(context), 'inspect', '--type', 'container', '--format', '{{json .State}}', containerId],
    {reject: false, stdin: 'ignore'},
  )
  if (result.failed) return undefined
  const state = JSON.parse(String(result.stdout)) as {Status?: string; Error?: string; ExitCode?: number}
  if (state.Status !== 'created' || !state.Error) return undefined
  return {exitCode: state.ExitCode ? state.ExitCode : null}
}
