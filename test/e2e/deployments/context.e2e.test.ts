// Remote engines (`submit --context NAME`, the dockerContext preference): a deployment records
// its context, and status, logs, resubmit, terminate and the agent's reconciliation go to that
// engine, a second dockerd started here in its own network namespace. Secret files work on an
// engine reached through a Unix socket (this machine) and are refused, in one line, on a tcp://
// one. An unknown context is one line, exit 2, nothing launched.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {
  dockerAvailable,
  ensureTestImage,
  partAvailable,
  removeDockerStore,
  SLEEPER,
  storeContainers,
  submitJson,
  TEST_IMAGE,
} from '../../support/docker.js'
import {makeHome, type TestHome} from '../../support/helpers.js'
import {
  type SecondEngine,
  secondEngineProblem,
  startSecondEngine,
  stopSecondEngines,
} from '../../support/second-engine.js'

const docker = await dockerAvailable(import.meta.url)
// Each case launches real containers on a shared, busy machine: minutes, not the default minute.
vi.setConfig({testTimeout: 300_000})
const engines = docker && partAvailable(import.meta.url, 'the remote-engine tests', await secondEngineProblem())
const TOKEN = 'remote-engine-token-value-4242'

let t: TestHome
let engine: SecondEngine | undefined

beforeAll(async () => {
  if (!engines) return
  await ensureTestImage()
  engine = await startSecondEngine(TEST_IMAGE)
  t = makeHome({DOCKER_CONFIG: engine.dockerConfig})
  await t.ok(['secrets', 'new', 'hf', `HF_TOKEN=${TOKEN}`])
}, 180_000)
afterAll(async () => {
  if (t) await removeDockerStore(t)
  await stopSecondEngines()
}, 120_000)

describe.skipIf(!engines)('remote engines (docker contexts)', () => {
  it('submits to the context and sends status, logs, resubmit, reconcile and terminate there', async () => {
    const second = engine!
    const script = ['--', 'sh', '-c', 'echo "tok=$HF_TOKEN"; trap "exit 0" TERM; sleep 300 & wait']
    const d = await submitJson<SubmitOutput>(t, [
      TEST_IMAGE,
      '--context',
      second.context,
      '--secret',
      'hf',
      '--name',
      'far',
      ...script,
    ])
    const there = await second.docker([
      'inspect',
      '--format',
      '{{index .Config.Labels "hush.deployment"}}',
      d.containerId,
    ])
    expect(there.stdout.trim()).toBe(d.id)
    expect(await storeContainers(t)).toEqual([])

    expect((await t.json<DeploymentInfo>(['status', 'far'])).state).toBe('running')
    expect((await t.ok(['status', 'far'])).stdout).toContain(`engine:     docker context ${second.context}`)
    const logs = await t.ok(['logs', 'far'])
    expect(logs.stdout).toContain('tok=***')
    expect(logs.stdout).not.toContain(TOKEN)

    const resubmitted = await t.json<{containerId: string; revision: number}>(['resubmit', 'far'])
    expect(resubmitted.revision).toBe(2)
    expect((await second.docker(['inspect', resubmitted.containerId])).exitCode).toBe(0)

    // A new agent reconciles with the engine the deployment is on (the main one does not know it).
    await t.ok(['daemon', 'stop'])
    const after = await t.json<DeploymentInfo>(['status', 'far'])
    expect([after.state, after.containerId]).toEqual(['running', resubmitted.containerId])

    const terminated = await t.json<DeploymentInfo>(['terminate', 'far', '--grace', '0'])
    expect(terminated.state).toBe('terminated')
    expect((await second.docker(['inspect', resubmitted.containerId])).exitCode).not.toBe(0)
  })

  it('mounts secret files on an engine of this machine (a Unix socket), and refuses them on a tcp:// one', async () => {
    const second = engine!
    const read = await t.hush([
      'submit',
      TEST_IMAGE,
      '--context',
      second.context,
      '--secret-file',
      'hf',
      '--wait',
      '--',
      'sh',
      '-c',
      `test "$(cat /run/secrets/HF_TOKEN)" = "${TOKEN}"`,
    ])
    expect(read.exitCode, read.stderr).toBe(0)

    const far = `hush-far-${process.pid}`
    await execa('docker', ['context', 'create', far, '--docker', 'host=tcp://192.0.2.1:2375'], {
      env: {DOCKER_CONFIG: second.dockerConfig},
    })
    const deployments = await t.json<DeploymentInfo[]>(['status'])
    const refused = await t.hush(['submit', TEST_IMAGE, '--context', far, '--secret-file', 'hf', '--', 'true'])
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain(
      `--secret-file needs an engine on this machine, and context ${far} is at tcp://192.0.2.1:2375`,
    )
    expect(await t.json<DeploymentInfo[]>(['status'])).toEqual(deployments)
  })

  it('refuses an unknown context in one line, exit 2, launching nothing', async () => {
    const deployments = await t.json<DeploymentInfo[]>(['status'])
    const result = await t.hush(['submit', TEST_IMAGE, '--context', 'nosuch', '--secret', 'hf', '--', 'true'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim()).toBe(
      'hush: No docker context nosuch: see `docker context ls`, or create it with `docker context create nosuch --docker host=...`.',
    )
    expect(await t.json<DeploymentInfo[]>(['status'])).toEqual(deployments)
    expect(await storeContainers(t)).toEqual([])
  })

  it("refuses a submit from a shell whose engine is not the agent's, naming both; status and doctor show the agent's", async () => {
    const second = engine!
    await t.ok(['daemon', 'stop'])
    await t.ok(['secrets', 'list'])
    const mainHost = (
      await execa('docker', ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], {
        env: t.env,
        stdin: 'ignore',
      })
    ).stdout.trim()
    expect((await t.ok(['daemon', 'status'])).stdout).toContain(`engine:     ${mainHost} (docker context default)`)
    const deployments = await t.json<DeploymentInfo[]>(['status'])
    const pid = t.agentPid()
    const onSecond = (await second.docker(['ps', '-aq'])).stdout

    const elsewhere = {DOCKER_HOST: second.host}
    const refused = await t.hush(['submit', TEST_IMAGE, '--secret', 'hf', ...SLEEPER], {env: elsewhere})
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain(
      `This shell's docker engine is ${second.host}, but the hush agent's (pid ${pid}) is ${mainHost}: run \`hush daemon stop\``,
    )
    expect(refused.stderr).toContain('or pass --context NAME')
    expect(await t.json<DeploymentInfo[]>(['status'])).toEqual(deployments)
    expect((await second.docker(['ps', '-aq'])).stdout).toBe(onSecond)

    const doctor = await t.hush(['doctor', '--json'], {env: elsewhere})
    expect(doctor.exitCode).toBe(1)
    const checks = (JSON.parse(doctor.stdout) as {checks: {check: string; level: string; detail: string}[]}).checks
    expect(checks.find((check) => check.check === 'docker engine')).toMatchObject({level: 'ok'})
    expect(checks.find((check) => check.check === 'docker engine')?.detail).toContain(`at ${mainHost}`)
    expect(checks.find((check) => check.check === 'shell engine')).toMatchObject({
      level: 'fail',
      detail: `this shell's docker engine is ${second.host}, the agent's is ${mainHost}: submits from this shell are refused`,
    })

    // The fix: an agent started from this shell uses its engine.
    await t.ok(['daemon', 'stop'])
    const d = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'hf', ...SLEEPER], elsewhere)
    expect((await second.docker(['inspect', d.containerId])).exitCode).toBe(0)
    expect((await t.ok(['daemon', 'status'], {env: elsewhere})).stdout).toContain(
      `engine:     ${second.host} (docker context default)`,
    )
    await t.ok(['terminate', d.id, '--grace', '0'], {env: elsewhere})
    await t.ok(['daemon', 'stop'])
  })

  it('one rule for a remote engine (context or DOCKER_HOST), and no values over plain TCP unless allowPlainTcp', async () => {
    const plain = {DOCKER_HOST: 'tcp://127.0.0.1:1'}
    await t.ok(['daemon', 'stop'])
    const deployments = await t.json<DeploymentInfo[]>(['status'], {env: plain})
    const files = await t.hush(['submit', TEST_IMAGE, '--secret-file', 'hf', '--', 'true'], {env: plain})
    expect(files.exitCode).toBe(2)
    expect(files.stderr.trim()).toBe(
      "hush: --secret-file needs an engine on this machine, and the agent's engine is at tcp://127.0.0.1:1: secret files are tmpfs files of this machine that the engine bind-mounts; use --secret (env) there.",
    )
    const values = await t.hush(['submit', TEST_IMAGE, '--secret', 'hf', '--', 'true'], {env: plain})
    expect(values.exitCode).toBe(2)
    expect(values.stderr.trim()).toBe(
      'hush: The agent\'s engine is at tcp://127.0.0.1:1, plain TCP without TLS: the values would travel to it in clear. Use TLS (DOCKER_TLS_VERIFY and certificates, or a context with them) or an ssh:// host, or set "allowPlainTcp": true in preferences.json to send them anyway. Nothing was launched.',
    )
    const far = `hush-plain-${process.pid}`
    await execa('docker', ['context', 'create', far, '--docker', 'host=tcp://127.0.0.1:1'], {
      env: {DOCKER_CONFIG: engine!.dockerConfig},
    })
    const viaContext = await t.hush(['submit', TEST_IMAGE, '--context', far, '--secret', 'hf', '--', 'true'], {
      env: plain,
    })
    expect(viaContext.exitCode).toBe(2)
    expect(viaContext.stderr).toContain(`hush: Context ${far} is at tcp://127.0.0.1:1, plain TCP without TLS`)
    expect(await t.json<DeploymentInfo[]>(['status'], {env: plain})).toEqual(deployments)

    // Asked for explicitly, the values go: here to a port where no engine listens.
    writeFileSync(join(t.home, 'preferences.json'), JSON.stringify({allowPlainTcp: true}), {mode: 0o600})
    const allowed = await t.hush(['submit', TEST_IMAGE, '--secret', 'hf', '--', 'true'], {env: plain})
    writeFileSync(join(t.home, 'preferences.json'), JSON.stringify({}), {mode: 0o600})
    expect(allowed.exitCode).toBe(1)
    expect(allowed.stderr).toContain('The Docker engine is not reachable')
    await t.ok(['daemon', 'stop'])
  })

  it('uses the dockerContext preference when no --context is given', async () => {
    const second = engine!
    writeFileSync(join(t.home, 'preferences.json'), JSON.stringify({dockerContext: second.context}), {mode: 0o600})
    const d = await submitJson<SubmitOutput>(t, [TEST_IMAGE, ...SLEEPER])
    expect((await second.docker(['inspect', d.containerId])).exitCode).toBe(0)
    expect(await storeContainers(t)).toEqual([])
    await t.ok(['terminate', d.id, '--grace', '0'])
  })
})
