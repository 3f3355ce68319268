// The agent killed (kill -9) between creating a deployment's Swarm secrets and the `docker service
// create` (or `service update`) that uses them, again and again: sometimes docker goes on without
// it, sometimes it never runs. After each restart: every service of the store is known to `status`,
// no hush Swarm secret is left that no service uses (or reconciliation removes it), no env-file is
// left on tmpfs, and `secrets delete` is refused while a service holds the value.
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {envFileDir, resolvePaths} from '../../../src/config/paths.js'
import {removeDockerStore, storeId, TEST_IMAGE} from '../../support/docker.js'
import {type DockerTrap, dockerTrap} from '../../support/docker-trap.js'
import {
  filesUnder,
  isAlive,
  makeHome,
  type RunResult,
  rawRequest,
  type TestHome,
  waitFor,
} from '../../support/helpers.js'
import {
  inspectService,
  removeSwarmObjects,
  type SwarmDeployment,
  storeServices,
  storeSwarmSecrets,
  swarmTestFile,
} from '../../support/swarm-tools.js'

const FILE = 'test/e2e/swarm/swarm-crash.e2e.test.ts'
const swarm = await swarmTestFile(FILE)
const ROUNDS = 4
vi.setConfig({testTimeout: 600_000})

const LONG = ['--', 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait']

let t: TestHome
let trap: DockerTrap

beforeEach(() => {
  trap = dockerTrap()
  t = makeHome(trap.env)
})
afterEach(async () => {
  await removeSwarmObjects(await storeId(t))
  await removeDockerStore(t)
  trap.remove()
}, 180_000)

/**
 * Starts `hush ...args` with the trap armed for `docker service create|update`, kills the agent once
 * docker is reached, and waits for the trapped command, which docker runs only when `proceed`.
 */
async function killedAt(args: string[], proceed: boolean): Promise<RunResult> {
  trap.arm(['service create', 'service update'], {proceed})
  const running = t.hush(args)
  await trap.hit(60_000)
  const pid = t.agentPid()
  expect(pid).toBeDefined()
  process.kill(pid!, 'SIGKILL')
  await waitFor(() => !isAlive(pid!), 10_000)
  await trap.done(120_000)
  return running
}

/** Names of the Swarm secrets the store's services use (their spec, or the one a rollback would return to). */
async function secretsInUse(): Promise<Set<string>> {
  const used = new Set<string>()
  for (const service of await storeServices((await storeId(t))!)) {
    const facts = await inspectService(service)
    for (const spec of [facts?.Spec, facts?.PreviousSpec]) {
      for (const secret of spec?.TaskTemplate.ContainerSpec.Secrets ?? []) used.add(secret.SecretName)
    }
  }
  return used
}

/** The promises, checked after a restart (the `status` call starts the agent, which reconciles). */
async function checkPromises(): Promise<SwarmDeployment[]> {
  const deployments = await t.json<SwarmDeployment[]>(['status'])
  const store = (await storeId(t))!
  const services = await storeServices(store)
  const known = new Set(deployments.filter((item) => item.state !== 'terminated').map((item) => item.serviceId))
  for (const service of services) expect(known, `service ${service} unknown to status`).toContain(service)
  // No hush Swarm secret that no service uses: at once, or once reconciliation has removed it.
  let orphans: string[] = []
  await waitFor(async () => {
    const used = await secretsInUse()
    orphans = (await storeSwarmSecrets(store)).map((secret) => secret.Spec.Name).filter((name) => !used.has(name))
    return orphans.length === 0
  }, 60_000).catch(() => undefined)
  expect(orphans, 'hush Swarm secrets no service uses').toEqual([])
  const dir = envFileDir(resolvePaths({...process.env, ...t.env}))
  const left = existsSync(dir) ? filesUnder(dir).filter((file) => !file.startsWith(join(dir, 'files'))) : []
  expect(left, 'env-files left on tmpfs').toEqual([])
  if (services.length > 0) {
    const refused = await rawRequest(t.socket, 'DELETE', '/v1/secrets/tok')
    expect(refused.status, 'secrets delete must be refused while a service holds the value').toBe(409)
  }
  return deployments
}

describe.skipIf(!swarm)('the agent dies between creating Swarm secrets and the service', () => {
  it(`submit --swarm: killed ${ROUNDS} times at service create, docker going on or not`, async () => {
    await t.ok(['secrets', 'new', 'tok', `TOKEN=crash-${Math.random().toString(36).slice(2)}`, 'OTHER=second-key'])
    for (let round = 0; round < ROUNDS; round++) {
      const proceed = round % 2 === 0
      const result = await killedAt(
        ['submit', '--swarm', TEST_IMAGE, '--secret-file', 'tok', '--secret', 'tok', ...LONG],
        proceed,
      )
      expect(result.exitCode).toBe(1)
      expect(result.stderr).toMatch(/agent stopped before answering/)
      await checkPromises()
    }
    const store = (await storeId(t))!
    // The rounds where docker went on left services, each tracked; a deployment whose service never
    // came does not claim to run. terminate removes the services and their Swarm secrets.
    const services = await storeServices(store)
    const all = await t.json<SwarmDeployment[]>(['status'])
    expect(all.filter((item) => services.includes(item.serviceId)).map((item) => item.state)).toEqual(
      services.map(() => 'running'),
    )
    for (const orphan of all.filter((item) => !services.includes(item.serviceId))) {
      expect(['failed', 'terminated'], `deployment ${orphan.id} without a service`).toContain(orphan.state)
    }
    for (const deployment of all) if (deployment.state !== 'terminated') await t.ok(['terminate', deployment.id])
    expect(await storeServices(store)).toEqual([])
    expect(await storeSwarmSecrets(store)).toEqual([])
    await t.ok(['secrets', 'delete', 'tok'])
  })

  it(`resubmit: killed ${ROUNDS} times at service update; the service runs one tracked revision, no secret orphaned, a later resubmit works`, async () => {
    await t.ok(['secrets', 'new', 'tok', 'TOKEN=first'])
    const submitted = await t.hush(['submit', '--swarm', TEST_IMAGE, '--secret-file', 'tok', '--wait', ...LONG])
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    const id = submitted.stdout.trim()
    for (let round = 0; round < ROUNDS; round++) {
      await t.ok(['secrets', 'rotate', 'tok', `TOKEN=round-${round}`])
      const proceed = round % 2 === 0
      const result = await killedAt(['resubmit', id], proceed)
      expect(result.exitCode).toBe(1)
      await checkPromises()
      const service = (await storeServices((await storeId(t))!))[0]
      expect(service).toBeDefined()
      const facts = (await inspectService(service))!
      const d = await t.json<SwarmDeployment>(['status', id])
      expect(d.serviceId).toBe(service)
      // The service runs what hush has on record: the label and the secret version agree with status.
      expect(facts.Spec.Labels['hush.revision']).toBe(String(d.revision))
      const mounted = facts.Spec.TaskTemplate.ContainerSpec.Secrets?.map((secret) => secret.SecretName) ?? []
      expect(mounted).toHaveLength(1)
      expect(mounted[0]).toMatch(new RegExp(`-tok-v${d.secrets[0].version}-TOKEN$`))
      // A resubmit that never reached docker left the previous revision running and recorded: STALE.
      if (!proceed) expect(d).toMatchObject({stale: true, state: 'running'})
    }
    // The last round's resubmit was cut short: a later one goes through to the newest version.
    const again = await t.hush(['resubmit', id])
    expect(again.exitCode, again.stderr).toBe(0)
    const after = await t.json<SwarmDeployment>(['status', id])
    expect(after).toMatchObject({stale: false, state: 'running'})
    const service = (await storeServices((await storeId(t))!))[0]
    const mounted = (await inspectService(service))!.Spec.TaskTemplate.ContainerSpec.Secrets ?? []
    expect(mounted.map((secret) => secret.SecretName)).toEqual([
      expect.stringMatching(new RegExp(`-tok-v${after.secrets[0].version}-TOKEN$`)),
    ])
    await t.ok(['terminate', id])
    expect(await storeSwarmSecrets((await storeId(t))!)).toEqual([])
    expect(readdirSync(trap.dir)).not.toContain('armed')
  })
})
