// Every container that holds a value stays known, whatever dies when: the agent is killed (kill -9,
// or stopped with `hush daemon stop`) at the moment its `docker run` starts, again and again, for
// submit, resubmit and a container docker creates but cannot start. After each restart: no
// container of the store unknown to `status`, no value in `hush logs`, and `secrets delete`
// refused while any such container lives.
//
// Each round spends its process starts where they matter: the command the agent dies under, and
// the `hush status` that starts the next agent, run as the binary; the steps between (a rotation, a
// submit to terminate, `daemon stop`, a second look at status) run in-process against the live agent.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {DeploymentDetail} from '../../../src/api/contract.js'
import Audit from '../../../src/commands/audit.js'
import DaemonStop from '../../../src/commands/daemon/stop.js'
import SecretsDelete from '../../../src/commands/secrets/delete.js'
import SecretsRotate from '../../../src/commands/secrets/rotate.js'
import Status from '../../../src/commands/status.js'
import Submit from '../../../src/commands/submit.js'
import Terminate from '../../../src/commands/terminate.js'
import {errorLine} from '../../support/agent-tools.js'
import {dockerAvailable, removeDockerStore, storeContainers, TEST_IMAGE} from '../../support/docker.js'
import {type DockerTrap, dockerTrap} from '../../support/docker-trap.js'
import {isAlive, makeHome, type RunResult, rawRequest, type TestHome, waitFor} from '../../support/helpers.js'
import {type CommandClass, runAgainstStore} from '../../support/in-process.js'

const docker = await dockerAvailable(import.meta.url)
const ROUNDS = 10
/** Each test runs ROUNDS crashes and restarts: generous, for a loaded machine (about 1-3 min when quiet). */
const CRASH_TEST_TIMEOUT_MS = 900_000

/** Prints the value, then runs until SIGTERM. */
const PRINTER = ['--', 'sh', '-c', 'echo "token is $TOKEN"; trap "exit 0" TERM; sleep 300 & wait']

let t: TestHome
let trap: DockerTrap

beforeEach(() => {
  trap = dockerTrap()
  t = makeHome(trap.env)
})
afterEach(async () => {
  await removeDockerStore(t)
  trap.remove()
})

/** Starts `hush ...args` with the trap armed; resolves once its `docker CMD` has begun, with the command's end. */
async function armedRun(args: string[], command = 'run'): Promise<{running: Promise<RunResult>}> {
  trap.arm([command])
  const running = t.hush(args)
  await trap.hit(30_000)
  // Wrapped: an async function returning the promise itself would wait for the command to end.
  return {running}
}

/** `hush ...argv` in-process against the live agent (it must be running): exit code 0 expected. */
async function live(Command: CommandClass, argv: string[]): Promise<string> {
  const result = await runAgainstStore(t, Command, argv)
  expect(result.exitCode, `${Command.name} ${argv.join(' ')}: ${result.stderr}`).toBe(0)
  return result.stdout
}

/** The same with --json (first: after a `--` it would be the container's), parsed. */
async function liveJson<T>(Command: CommandClass, argv: string[]): Promise<T> {
  return JSON.parse(await live(Command, ['--json', ...argv])) as T
}

/** Kills the agent at once (kill -9), or asks it to stop (`hush daemon stop`), while docker run is under way. */
async function killAgent(how: 'kill' | 'stop'): Promise<void> {
  const pid = t.agentPid()
  expect(pid).toBeDefined()
  if (how === 'kill') process.kill(pid!, 'SIGKILL')
  else await live(DaemonStop, [])
  if (how === 'kill') await waitFor(() => !isAlive(pid!), 10_000)
}

/**
 * The promises, checked after a restart: every container known to `status`, no value in the logs
 * of a deployment not checked before (`checked` grows), `secrets delete` refused while one lives.
 * `status` runs as the binary, which starts the next agent, unless `agent` says one is up already.
 */
async function checkPromises(
  values: string[],
  checked = new Set<string>(),
  agent: 'restart' | 'up' = 'restart',
): Promise<DeploymentDetail[]> {
  const deployments =
    agent === 'restart' ? await t.json<DeploymentDetail[]>(['status']) : await liveJson<DeploymentDetail[]>(Status, [])
  const known = new Set(deployments.map((deployment) => deployment.containerId))
  const containers = await storeContainers(t)
  for (const container of containers) expect(known, `container ${container} unknown to status`).toContain(container)
  for (const deployment of deployments) {
    if (!deployment.containerId || deployment.state === 'terminated') continue
    const key = `${deployment.id}/${deployment.containerId}`
    if (checked.has(key)) continue
    checked.add(key)
    // Straight over the socket (the CLI would only add a process start per check): the logs route's
    // frames carry the container's bytes as the agent redacted them.
    const logs = await rawRequest(t.socket, 'GET', `/v1/deployments/${deployment.id}/logs`)
    if (logs.status === 404) {
      // The restarted agent finished a recorded terminate between the listing and this request:
      // then the logs are gone with the container, and the deployment must say terminated.
      expect((logs.json as {error: {code: string}}).error.code).toBe('deployment_not_found')
      const now = await rawRequest(t.socket, 'GET', `/v1/deployments/${deployment.id}`)
      expect((now.json as DeploymentDetail).state).toBe('terminated')
      continue
    }
    expect(logs.status).toBe(200)
    for (const value of values) expect(logs.bytes.includes(value)).toBe(false)
  }
  if (containers.length > 0) {
    const refused = await rawRequest(t.socket, 'DELETE', '/v1/secrets/tok')
    expect(refused.status, 'secrets delete must be refused while a container holds the value').toBe(409)
    expect((refused.json as {error: {code: string}}).error.code).toBe('secret_in_use')
  }
  return deployments
}

/** The one line a command prints when the agent went away before answering. */
function expectLostAgentLine(result: RunResult, check: RegExp): void {
  expect(result.exitCode).toBe(1)
  const line = errorLine(result.stderr)
  expect(line).toMatch(/agent stopped before answering/)
  expect(line).toMatch(check)
}

describe.skipIf(!docker)('the agent dies while docker run starts a container', () => {
  it(
    `submit: killed or stopped ${ROUNDS} times, every container stays tracked and redacted`,
    async () => {
      const value = `crash-submit-value-${Math.random().toString(36).slice(2)}`
      await t.ok(['secrets', 'new', 'tok', `TOKEN=${value}`])
      const checked = new Set<string>()
      for (let round = 0; round < ROUNDS; round++) {
        const how = round % 3 === 2 ? 'stop' : 'kill'
        const {running} = await armedRun(['submit', TEST_IMAGE, '--secret', 'tok', ...PRINTER])
        await killAgent(how)
        const result = await running
        // A stopping agent finishes the request in flight; a killed one leaves the CLI one line.
        if (how === 'kill') expectLostAgentLine(result, /may or may not have been launched.*hush status/)
        else expect(result.exitCode, result.stderr).toBe(0)
        // Some rounds restart the agent while the orphaned docker run is still under way.
        if (round % 3 === 1) await checkPromises([value], checked)
        await trap.done(30_000)
        await checkPromises([value], checked, round % 3 === 1 ? 'up' : 'restart')
      }
      // Every launch that reached docker was recorded with its audit event, and terminate removes it.
      const audit = await liveJson<{event: string; deployment: string | null}[]>(Audit, [])
      const running = (await liveJson<DeploymentDetail[]>(Status, [])).filter((item) => item.state === 'running')
      expect(running.length).toBeGreaterThan(0)
      for (const deployment of running) {
        expect(
          audit.some((event) => event.event === 'deployment.submitted' && event.deployment === deployment.id),
        ).toBe(true)
        await live(Terminate, [deployment.id, '--grace', '1'])
      }
      expect(await storeContainers(t)).toEqual([])
      await t.ok(['secrets', 'delete', 'tok'])
    },
    CRASH_TEST_TIMEOUT_MS,
  )

  it(
    `resubmit: killed ${ROUNDS} times, the previous revision is removed and the new one tracked`,
    async () => {
      const values = ['crash-resubmit-first-value']
      await t.ok(['secrets', 'new', 'tok', `TOKEN=${values[0]}`])
      const first = await t.hush(['submit', TEST_IMAGE, '--secret', 'tok', '--json', ...PRINTER])
      expect(first.exitCode, first.stderr).toBe(0)
      const id = (JSON.parse(first.stdout) as {id: string}).id
      for (let round = 0; round < ROUNDS; round++) {
        const value = `crash-resubmit-value-${round}-${Math.random().toString(36).slice(2)}`
        values.push(value)
        await live(SecretsRotate, ['tok', `TOKEN=${value}`])
        const {running} = await armedRun(['resubmit', id])
        await killAgent('kill')
        expectLostAgentLine(await running, new RegExp(`hush status ${id}`))
        if (round % 3 === 1) await checkPromises(values)
        await trap.done(30_000)
        const deployments = await checkPromises(values, undefined, round % 3 === 1 ? 'up' : 'restart')
        // At most one container, of the recorded revision.
        const containers = await storeContainers(t)
        expect(containers.length).toBeLessThanOrEqual(1)
        const detail = deployments.find((item) => item.id === id)!
        if (containers.length === 1) {
          expect(detail.containerId).toBe(containers[0])
          expect(detail.state).toBe('running')
          expect(detail.secrets[0]?.version).toBe(round + 2)
        }
      }
      await live(Terminate, [id, '--grace', '1'])
      expect(await storeContainers(t)).toEqual([])
    },
    CRASH_TEST_TIMEOUT_MS,
  )

  it(
    `terminate: killed ${ROUNDS} times during docker stop or rm, the next agent finishes it`,
    async () => {
      const value = `crash-terminate-value-${Math.random().toString(36).slice(2)}`
      await t.ok(['secrets', 'new', 'tok', `TOKEN=${value}`])
      const ids: string[] = []
      for (let round = 0; round < ROUNDS; round++) {
        const {id} = await liveJson<{id: string}>(Submit, [TEST_IMAGE, '--secret', 'tok', ...PRINTER])
        ids.push(id)
        const {running} = await armedRun(['terminate', id, '--grace', '1'], round % 2 === 0 ? 'stop' : 'rm')
        await killAgent('kill')
        expectLostAgentLine(await running, /the terminate is recorded and the next agent finishes it.*hush status/)
        // Some rounds restart the agent while the orphaned docker stop or rm is still under way.
        if (round % 3 === 1) await checkPromises([value])
        await trap.done(30_000)
        const detail =
          round % 3 === 1
            ? await liveJson<DeploymentDetail>(Status, [id])
            : await t.json<DeploymentDetail>(['status', id])
        expect(detail.state, `round ${round}`).toBe('terminated')
        expect(await storeContainers(t), `round ${round}`).toEqual([])
      }
      const audit = await liveJson<{event: string; deployment: string | null}[]>(Audit, [])
      for (const id of ids)
        expect(
          audit.filter((event) => event.event === 'deployment.terminated' && event.deployment === id),
        ).toHaveLength(1)
      // Nothing holds the value: delete needs no --force.
      await live(SecretsDelete, ['tok'])
    },
    CRASH_TEST_TIMEOUT_MS,
  )

  it(
    `a container docker creates but cannot start is removed, with or without the agent (${ROUNDS} rounds)`,
    async () => {
      const value = 'crash-never-started-value'
      await t.ok(['secrets', 'new', 'tok', `TOKEN=${value}`])
      const failures = [
        ['--user', 'nosuchuser', '--', 'sh', '-c', 'echo hi'],
        ['--', '/no/such/command'],
      ]
      // Without a crash: docker's error, nothing left, nothing in status.
      for (const failure of failures) {
        const result = await t.hush(['submit', TEST_IMAGE, '--secret', 'tok', ...failure])
        expect(result.exitCode).toBe(1)
        expect(errorLine(result.stderr)).toMatch(/docker run failed/)
        expect(await storeContainers(t)).toEqual([])
        expect(await liveJson<DeploymentDetail[]>(Status, [])).toEqual([])
      }
      // With the agent killed while docker creates it.
      for (let round = 0; round < ROUNDS; round++) {
        const {running} = await armedRun(['submit', TEST_IMAGE, '--secret', 'tok', ...failures[round % 2]])
        await killAgent('kill')
        expectLostAgentLine(await running, /hush status/)
        await trap.done(30_000)
        await checkPromises([value])
        expect(await storeContainers(t)).toEqual([])
      }
      // Nothing holds the value: delete needs no --force.
      await t.ok(['secrets', 'delete', 'tok'])
    },
    CRASH_TEST_TIMEOUT_MS,
  )
})
