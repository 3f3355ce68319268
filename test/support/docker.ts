// Docker for the tests: is the engine reachable (under CI=true it must be), the test image
// (built from Debian's busybox-static with `docker import`, nothing is pulled), and cleanup of
// the containers a test store launched.
import {existsSync, rmSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {afterEach, beforeEach} from 'vitest'
import {envFileDir, resolvePaths} from '../../src/config/paths.js'
import {openDatabase} from '../../src/daemon/process/sqlite.js'
import {makeHome, ROOT, type TestHome} from './helpers.js'

export const TEST_IMAGE = 'hush-test/busybox'

/** The command of a long job that stops at once on SIGTERM (a bare `sleep` as PID 1 would wait for SIGKILL). */
export const SLEEPER = ['--', 'sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait']

/** SLEEPER as quoted shell words, for a command line typed into a terminal. */
export const SLEEPER_SHELL = SLEEPER.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ')

let available: Promise<string | undefined> | undefined

/** Undefined when docker answers, else why not. */
export function dockerProblem(): Promise<string | undefined> {
  available ??= execa('docker', ['version', '--format', '{{.Server.Version}}'], {reject: false, stdin: 'ignore'})
    .then((result) =>
      result.exitCode === 0 ? undefined : `docker does not answer: ${result.stderr.trim().split('\n')[0]}`,
    )
    .catch((error: Error) => `docker is not installed: ${error.message}`)
  return available
}

/** A test file as its messages name it: FILE is its `import.meta.url` (or already a path of the checkout). */
export function testFileName(file: string): string {
  return file.startsWith('file:') ? relative(ROOT, fileURLToPath(file)) : file
}

/**
 * The one rule for a real part that the tests of a file (its `import.meta.url`) need: with no PROBLEM they run (true).
 * Locally a problem skips them with a loud reason (false); under CI=true it is a failure, never a skip.
 * TESTS names them in the message ("the Swarm tests").
 */
export function partAvailable(fileUrl: string, tests: string, problem: string | undefined): boolean {
  if (!problem) return true
  const file = testFileName(fileUrl)
  if (process.env.CI === 'true') throw new Error(`${file}: ${problem} (CI=true: ${tests} must run)`)
  process.stderr.write(
    `\n!!! SKIPPING ${tests} of ${file}: ${problem}\n!!! run them with the real parts (bash .ci/run)\n\n`,
  )
  return false
}

/** For a test file (its `import.meta.url`): true when docker tests can run (partAvailable). */
export async function dockerAvailable(fileUrl: string): Promise<boolean> {
  return partAvailable(fileUrl, 'the docker tests', await dockerProblem())
}

/** Builds hush-test/busybox from the host's static busybox when the engine does not have it (scripts/test-image.sh). */
export async function ensureTestImage(): Promise<void> {
  await execa('bash', [fileURLToPath(new URL('../../scripts/test-image.sh', import.meta.url))], {stdin: 'ignore'})
}

/** Every container launched by the store STORE_ID (label hush.store), running or not: full ids. */
async function containersOf(storeId: string): Promise<string[]> {
  const args = ['ps', '-aq', '--no-trunc', '--filter', `label=hush.store=${storeId}`]
  const {stdout} = await execa('docker', args, {reject: false, stdin: 'ignore'})
  return stdout.split('\n').filter(Boolean)
}

/** Every container of the store at `t.home` on the local engine, running or not (full ids). */
export async function storeContainers(t: {home: string}): Promise<string[]> {
  const id = await storeId(t)
  return id ? containersOf(id) : []
}

/** Removes every container launched by the store (label hush.store=STORE_ID). */
export async function removeStoreContainers(storeId: string | undefined): Promise<void> {
  if (!storeId) return
  const ids = await containersOf(storeId)
  if (ids.length) await execa('docker', ['rm', '-f', ...ids], {reject: false, stdin: 'ignore'})
}

export interface ContainerFacts {
  Id: string
  State: {Status: string; Running: boolean; ExitCode: number}
  Config: {Env: string[]; Labels: Record<string, string>}
}

export async function inspect(containerId: string): Promise<ContainerFacts | undefined> {
  const result = await execa('docker', ['inspect', '--type', 'container', containerId], {
    reject: false,
    stdin: 'ignore',
  })
  if (result.exitCode !== 0) return undefined
  return (JSON.parse(result.stdout) as ContainerFacts[])[0]
}

/** The container's environment as docker keeps it: KEY -> VALUE. */
export async function inspectEnv(containerId: string): Promise<Record<string, string>> {
  const facts = await inspect(containerId)
  const env: Record<string, string> = {}
  for (const line of facts?.Config.Env ?? []) {
    const eq = line.indexOf('=')
    env[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return env
}

/** The container's own output, straight from docker (not redacted by hush). */
export async function containerOutput(containerId: string): Promise<string> {
  const result = await execa('docker', ['logs', containerId], {stdin: 'ignore'})
  return result.stdout
}

/** The store id (label hush.store of its containers), read from the store itself; undefined before it exists. */
export async function storeId(t: {home: string}): Promise<string | undefined> {
  const file = join(t.home, 'store.db')
  if (!existsSync(file)) return undefined
  const db = openDatabase(file, {readOnly: true})
  try {
    const row = db.prepare("SELECT v FROM meta WHERE k = 'store_id'").get() as {v: string} | undefined
    return row ? String(row.v) : undefined
  } finally {
    db.close()
  }
}

/** The store's label id (label hush.store of its containers): its store id, or a copy's own id. */
export async function labelId(t: {home: string}): Promise<string | undefined> {
  const file = join(t.home, 'store.db')
  if (!existsSync(file)) return undefined
  const db = openDatabase(file, {readOnly: true})
  try {
    const row = db.prepare("SELECT v FROM meta WHERE k = 'label_id'").get() as {v: string} | undefined
    return row ? String(row.v) : storeId(t)
  } finally {
    db.close()
  }
}

/** `hush submit ... --json` with --json before a `--` (after it, it would belong to the container's command). */
export async function submitJson<T>(
  t: {
    hush(
      args: string[],
      options?: {env?: Record<string, string>},
    ): Promise<{stdout: string; stderr: string; exitCode: number}>
  },
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const dash = args.indexOf('--')
  const full =
    dash === -1 ? ['submit', ...args, '--json'] : ['submit', ...args.slice(0, dash), '--json', ...args.slice(dash)]
  const result = await t.hush(full, {env})
  if (result.exitCode !== 0 && !args.includes('--wait')) {
    throw new Error(`hush ${full.join(' ')} exited ${result.exitCode}: ${result.stdout}${result.stderr}`)
  }
  return JSON.parse(result.stdout) as T
}

/** Removes the test store's (empty) env-file directory on tmpfs. */
export function removeEnvFileDir(env: Record<string, string>): void {
  rmSync(envFileDir(resolvePaths({...process.env, ...env})), {recursive: true, force: true})
}

/** After a docker test: its store's containers, its env-file directory, then the store itself. */
export async function removeDockerStore(t: TestHome): Promise<void> {
  await removeStoreContainers(await labelId(t))
  removeEnvFileDir(t.env)
  await t.cleanup()
}

/**
 * The preamble of a docker test file: `docker`, whether its docker tests run (dockerAvailable), and
 * `t`, the store of the test that runs: a fresh one (makeHome) before each test, removed after it
 * with its containers and env-file directory (removeDockerStore).
 */
export async function dockerTestFile(fileUrl: string): Promise<{docker: boolean; t: TestHome}> {
  const docker = await dockerAvailable(fileUrl)
  const t = {} as TestHome
  beforeEach(() => {
    Object.assign(t, makeHome())
  })
  afterEach(() => removeDockerStore(t))
  return {docker, t}
}
