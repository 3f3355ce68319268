// Values never leak on a Swarm deployment across two nodes (test/support/swarm-cluster.ts): while hush
// creates, rotates, resubmits, shows logs of and terminates a two-replica service, no sentinel
// value is in any process's argv (/proc/*/cmdline), in hush's files, or on disk under either
// node's data root outside Swarm's own encrypted Raft store (a task's secret files live on tmpfs,
// which is not disk). An env value (--secret) is in the service spec by design (the README's
// threat model): docker keeps it in the task's and container's config, and nowhere else may it be.
import {randomBytes} from 'node:crypto'
import {type Dirent, lstatSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {envFileDir, resolvePaths} from '../../../src/config/paths.js'
import {removeDockerStore, storeId, TEST_IMAGE} from '../../support/docker.js'
import {makeHome, type TestHome} from '../../support/helpers.js'
import {watchProcesses} from '../../support/leak-tools.js'
import {type SwarmWorker, startSwarmWorker} from '../../support/swarm-cluster.js'
import {deploymentId, removeSwarmObjects, type SwarmDeployment, swarmTestFile} from '../../support/swarm-tools.js'

const FILE = 'test/e2e/swarm/swarm-leak.e2e.test.ts'
const twoNodes = await swarmTestFile(FILE, {twoNodes: true})
vi.setConfig({testTimeout: 300_000})

const run = randomBytes(4).toString('hex')
/** Values that reach the tasks as Swarm secrets (files). */
const FILE_VALUES = {first: `sentinel-file-${run}-a1b2`, rotated: `sentinel-filerot-${run}-c3d4`}
/** Values that reach the tasks as env (in the service spec by design). */
const ENV_VALUES = {first: `sentinel-env-${run}-e5f6`, rotated: `sentinel-envrot-${run}-0718`}
const ALL = [...Object.values(FILE_VALUES), ...Object.values(ENV_VALUES)]

/** Where docker itself keeps a task's env (its spec): the container's config, containerd's and the worker's task store. */
const SPEC_COPIES = [
  /\/containers\/[0-9a-f]{64}\/config\.v2\.json$/,
  /\/containerd\/daemon\/io\.containerd\.metadata\.v1\.bolt\/meta\.db$/,
  /\/swarm\/worker\/tasks\.db$/,
]

/** The value's raw bytes and encoded forms (an encoded plaintext is still a leak). */
function forms(value: string): Buffer[] {
  const bytes = Buffer.from(value)
  return [bytes, Buffer.from(bytes.toString('base64').slice(0, 20)), Buffer.from(bytes.toString('hex'))]
}

/** tmpfs mount points on this machine (not disk). */
function tmpfsMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => / - tmpfs /.test(line))
    .map((line) => line.split(' ')[4])
}

/** Every regular file under `root` on disk: not below `skip` (Swarm's Raft store) nor a tmpfs mount. */
function diskFilesUnder(root: string, skip: string[]): string[] {
  const excluded = new Set([...skip, ...tmpfsMounts()])
  const out: string[] = []
  const walk = (dir: string) => {
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, {withFileTypes: true})
    } catch {
      return
    }
    for (const entry of entries) {
      const path = join(dir, entry.name)
      if (excluded.has(path)) continue
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) out.push(path)
    }
  }
  walk(root)
  return out
}

/** `file: value` for each file holding one of `values` in any form. */
function leaksIn(files: string[], values: string[]): string[] {
  const found: string[] = []
  for (const file of files) {
    let bytes: Buffer
    try {
      if (!lstatSync(file).isFile()) continue
      bytes = readFileSync(file)
    } catch {
      continue
    }
    for (const value of values) if (forms(value).some((form) => bytes.includes(form))) found.push(`${file}: ${value}`)
  }
  return found
}

let worker: SwarmWorker | undefined
let t: TestHome | undefined
let managerRoot = ''

beforeAll(async () => {
  if (!twoNodes) return
  managerRoot = (await execa('docker', ['info', '--format', '{{.DockerRootDir}}'], {stdin: 'ignore'})).stdout.trim()
  worker = await startSwarmWorker(TEST_IMAGE)
  t = makeHome()
}, 300_000)
afterAll(async () => {
  if (t) {
    await removeSwarmObjects(await storeId(t))
    await removeDockerStore(t)
  }
  await worker?.stop()
}, 300_000)

describe.skipIf(!twoNodes)('no value leaks from a Swarm deployment on two nodes', () => {
  it('not in any argv, not in hush files, not on disk under either data root outside the Raft store', async () => {
    const home = t!
    const watch = watchProcesses(['cmdline'])
    let onDisk: string[] = []
    try {
      await home.ok(['secrets', 'new', 'files', '--from-stdin', 'KEY'], {input: `${FILE_VALUES.first}\n`})
      await home.ok(['secrets', 'new', 'envs', '--from-env', 'TOKEN'], {env: {TOKEN: ENV_VALUES.first}})
      const submitted = await home.hush([
        'submit',
        '--swarm',
        TEST_IMAGE,
        '--replicas',
        '2',
        '--replicas-max-per-node',
        '1',
        '--secret-file',
        'files',
        '--secret',
        'envs',
        '--wait',
        '--',
        'sh',
        '-c',
        // Reads both and prints neither: the job's own output is docker's log on disk, not hush's doing.
        'test -s /run/secrets/KEY && test -n "$TOKEN" && echo ready; trap "exit 0" TERM; sleep 3600 & wait',
      ])
      expect(submitted.exitCode, submitted.stderr).toBe(0)
      const id = deploymentId(submitted.stdout)
      await home.ok(['secrets', 'rotate', 'files', '--from-stdin', 'KEY'], {input: `${FILE_VALUES.rotated}\n`})
      await home.ok(['secrets', 'rotate', 'envs', '--from-env', 'TOKEN', '--resubmit'], {
        env: {TOKEN: ENV_VALUES.rotated},
      })
      const d = await home.json<SwarmDeployment>(['status', id])
      expect(d).toMatchObject({stale: false, replicas: {running: 2, desired: 2}})
      const logs = await home.ok(['logs', id])
      for (const value of ALL) expect(logs.stdout + logs.stderr).not.toContain(value)

      // While both nodes run the tasks: their disks, outside Raft and tmpfs.
      const roots = [managerRoot, worker!.engine.dataRoot]
      const files = roots.flatMap((root) => diskFilesUnder(root, [join(root, 'swarm', 'raft')]))
      onDisk = leaksIn(files, ALL)
      await home.ok(['terminate', id])
    } finally {
      const seen = watch.stop()
      const inArgv = ALL.filter((value) =>
        [...seen].some((cmdline) => forms(value).some((form) => cmdline.includes(form.toString('latin1')))),
      )
      expect(inArgv, 'values seen in a process argument list').toEqual([])
    }
    const fileLeaks = onDisk.filter((line) => Object.values(FILE_VALUES).some((value) => line.endsWith(`: ${value}`)))
    expect(fileLeaks, 'secret-file values on disk').toEqual([])
    const envLeaks = onDisk.filter(
      (line) => !SPEC_COPIES.some((place) => place.test(line.slice(0, line.lastIndexOf(': ')))),
    )
    expect(envLeaks, "env values on disk outside docker's own copies of the spec").toEqual([])

    const paths = resolvePaths({...process.env, ...home.env})
    const hushFiles = [home.home, paths.runtimeDir, envFileDir(paths)].flatMap((dir) => diskFilesUnder(dir, []))
    expect(leaksIn(hushFiles, ALL), "values in hush's files").toEqual([])
  })
})
