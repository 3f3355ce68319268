// Two Swarm nodes on one machine: the test engine (manager) and a second dockerd in its own network
// namespace joined as a worker (test/support/swarm-cluster.ts). First the harness itself with raw docker
// (one task per node, each reads its Swarm secret); then hush: `submit --swarm --replicas 2
// --replicas-max-per-node 1 --secret-file`, checked from each node's own engine, rotated and
// resubmitted, checked again; and a worker stopped under a running service, which status reports.
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {errorLine} from '../../support/agent-tools.js'
import {removeDockerStore, storeId, TEST_IMAGE} from '../../support/docker.js'
import {makeHome, type TestHome, waitFor} from '../../support/helpers.js'
import {type SwarmWorker, startSwarmWorker} from '../../support/swarm-cluster.js'
import {swarmInfo} from '../../support/swarm-engine.js'
import {
  containersOn,
  type Docker,
  deploymentId,
  dockerAt,
  dockerFor,
  manager,
  readInside,
  removeSwarmObjects,
  type SwarmDeployment,
  swarmTestFile,
  waitForTasks,
} from '../../support/swarm-tools.js'

const FILE = 'test/e2e/swarm/swarm-cluster.e2e.test.ts'
const twoNodes = await swarmTestFile(FILE, {twoNodes: true})
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
/** The deployment of the second test, which the last one stops a node under. */
let pair: string | undefined

/** `hush status ID --json` of a Swarm deployment. */
const status = (id: string) => t!.json<SwarmDeployment>(['status', id])

/** Waits until this engine runs exactly one task container of the service whose output shows `value`; returns it. */
async function taskReading(node: Docker, service: string, value: string): Promise<string> {
  let found = ''
  await waitFor(async () => {
    const containers = await containersOn(node, service)
    if (containers.length !== 1) return false
    found = containers[0]
    return (await node(['logs', found])).stdout.includes(value)
  }, 120_000)
  return found
}

beforeAll(async () => {
  if (!twoNodes) return
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

describe.skipIf(!twoNodes)('two Swarm nodes', () => {
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

  it('submit --swarm --replicas 2 --replicas-max-per-node 1 --secret-file: each node reads the value, and the rotated one after resubmit', async () => {
    const first = `cluster-first-${run}`
    const second = `cluster-second-${run}`
    await t!.ok(['secrets', 'new', 'clus', `TOKEN=${first}`])
    const submitted = await t!.hush([
      'submit',
      '--swarm',
      TEST_IMAGE,
      '--replicas',
      '2',
      '--replicas-max-per-node',
      '1',
      '--secret-file',
      'clus',
      '--name',
      `pair-${run}`,
      '--wait',
      '--',
      ...READER,
    ])
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    pair = deploymentId(submitted.stdout)
    const d = await status(pair)
    expect(d).toMatchObject({target: 'swarm', state: 'running', replicas: {running: 2, desired: 2}})
    const managerName = (await manager(['info', '--format', '{{.Name}}'])).stdout.trim()
    expect(d.tasks.map((task) => task.node).sort()).toEqual([managerName, worker!.hostname].sort())
    const nodes = [manager, dockerAt(worker!.engine.host)]
    for (const node of nodes) {
      const container = await taskReading(node, d.serviceId, first)
      expect(await readInside(node, container, '/run/secrets/TOKEN')).toBe(first)
    }

    await t!.ok(['secrets', 'rotate', 'clus', `TOKEN=${second}`])
    expect((await status(pair)).stale).toBe(true)
    const resubmitted = await t!.hush(['resubmit', pair])
    expect(resubmitted.exitCode, resubmitted.stderr).toBe(0)
    const after = await status(pair)
    expect(after).toMatchObject({stale: false, state: 'running', replicas: {running: 2, desired: 2}})
    expect(after.tasks.map((task) => task.node).sort()).toEqual([managerName, worker!.hostname].sort())
    expect(after.tasks.map((task) => task.revision)).toEqual([after.revision, after.revision])
    for (const node of nodes) {
      const container = await taskReading(node, after.serviceId, second)
      expect(await readInside(node, container, '/run/secrets/TOKEN')).toBe(second)
    }
  })

  it('--swarm against a worker (no manager): exit 1, one line, nothing created', async () => {
    const wrapper = dockerFor(worker!.engine.host)
    const onWorker = makeHome({HUSH_DOCKER: wrapper.path})
    try {
      await onWorker.ok(['secrets', 'new', 'clus', `TOKEN=worker-${run}`])
      const result = await onWorker.hush(['submit', '--swarm', TEST_IMAGE, '--secret-file', 'clus', '--', ...READER])
      expect(result.exitCode, result.stderr).toBe(1)
      expect(errorLine(result.stderr)).toMatch(/manager|docker swarm init/)
      expect(await onWorker.json<SwarmDeployment[]>(['status'])).toEqual([])
    } finally {
      await removeDockerStore(onWorker)
      wrapper.remove()
    }
  })

  it('a worker stopped under a running service: status shows the replica missing and why', async () => {
    expect(pair, 'the two-replica deployment of the test before').toBeDefined()
    await worker!.halt()
    let d = await status(pair!)
    await waitFor(async () => {
      d = await status(pair!)
      return d.replicas.running === 1
    }, 180_000)
    expect(d.replicas).toEqual({running: 1, desired: 2})
    expect(d.state).not.toBe('running')
    expect(d.tasks.filter((task) => task.state === 'running')).toHaveLength(1)
    const missing = d.tasks.filter((task) => task.state !== 'running')
    expect(missing.length).toBeGreaterThan(0)
    expect(missing.every((task) => Boolean(task.error))).toBe(true)
    const text = (await t!.ok(['status', pair!])).stdout
    expect(text).toMatch(/1\/2|1 of 2/)
  })
})
