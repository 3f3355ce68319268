// Two Swarm nodes on one machine: the test engine (manager) and a second dockerd in its own network
// namespace joined as a worker (test/swarm-cluster.ts). First the harness itself with raw docker
// (one task per node, each reads its Swarm secret); then hush: `submit --swarm --replicas 2
// --replicas-max-per-node 1 --secret-file`, checked from each node's own engine, rotated and
// resubmitted, checked again; and a worker stopped under a running service, which status reports.
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {dockerAvailable, removeDockerStore, storeId, TEST_IMAGE} from './docker.js'
import {makeHome, type TestHome} from './helpers.js'
import {type SwarmWorker, startSwarmWorker, swarmClusterProblem} from './swarm-cluster.js'
import {swarmInfo} from './swarm-engine.js'
import {
  containersOn,
  dockerAt,
  manager,
  readInside,
  removeSwarmObjects,
  swarmAvailable,
  waitForTasks,
} from './swarm-tools.js'

const FILE = 'test/swarm-cluster.e2e.test.ts'
const docker = (await dockerAvailable(FILE)) && (await swarmAvailable(FILE))
const problem = docker ? await swarmClusterProblem() : 'no swarm manager'
if (problem && docker) {
  if (process.env.CI === 'true') throw new Error(`${FILE}: ${problem} (CI=true: it must run)`)
  process.stderr.write(`\n!!! SKIPPING the two-node Swarm tests: ${problem}\n\n`)
}
// Swarm converges slowly on a busy two-core machine.
vi.setConfig({testTimeout: 300_000})

const run = Math.random().toString(36).slice(2, 8)
const RAW_SECRET = `hush-test-raw-${run}`
const RAW_SERVICE = `hush-test-raw-${run}`
/** Prints its secret file, then runs until SIGTERM. */
const READER = ['sh', '-c', 'cat /run/secrets/TOKEN; echo; trap "exit 0" TERM; sleep 600 & wait']

let worker: SwarmWorker | undefined
let t: TestHome | undefined
let managerNode = ''

beforeAll(async () => {
  if (problem) return
  managerNode = (await swarmInfo()).nodeId
  worker = await startSwarmWorker(TEST_IMAGE)
  t = makeHome()
}, 300_000)
afterAll(async () => {
  if (t) {
    await removeSwarmObjects(await storeId(t), {services: [RAW_SERVICE], secrets: [RAW_SECRET]})
    await removeDockerStore(t)
  } else await removeSwarmObjects(undefined, {services: [RAW_SERVICE], secrets: [RAW_SECRET]})
  await worker?.stop()
}, 300_000)

describe.skipIf(Boolean(problem))('two Swarm nodes', () => {
  it('the harness: a raw docker service runs one task on each node, and each reads its Swarm secret', async () => {
    const value = `raw-value-${run}`
    expect((await manager(['secret', 'create', RAW_SECRET, '-'], value)).exitCode).toBe(0)
    const created = await manager([
      'service',
      'create',
      '--detach',
      '--name',
      RAW_SERVICE,
      '--replicas',
      '2',
      '--replicas-max-per-node',
      '1',
      '--secret',
      `source=${RAW_SECRET},target=TOKEN,mode=0400`,
      TEST_IMAGE,
      ...READER,
    ])
    expect(created.exitCode, created.stderr).toBe(0)
    const tasks = await waitForTasks(RAW_SERVICE, 2)
    expect(new Set(tasks.map((task) => task.NodeID))).toEqual(new Set([managerNode, worker!.nodeId]))
    for (const node of [manager, dockerAt(worker!.engine.host)]) {
      const [container] = await containersOn(node, created.stdout.trim())
      expect(container).toBeDefined()
      expect(await readInside(node, container, '/run/secrets/TOKEN')).toBe(value)
    }
  })
})
