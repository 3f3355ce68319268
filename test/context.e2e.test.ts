// Remote engines (`submit --context NAME`, the dockerContext preference): a deployment records
// its context, and status, logs, resubmit, terminate and the agent's reconciliation go to that
// engine, a second dockerd started here in its own network namespace. Secret files work on an
// engine reached through a Unix socket (this machine) and are refused, in one line, on a tcp://
// one. An unknown context is one line, exit 2, nothing launched.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../src/api/contract.js'
import {
  dockerAvailable,
  ensureTestImage,
  removeDockerStore,
  SLEEPER,
  storeId,
  submitJson,
  TEST_IMAGE,
} from './docker.js'
import {makeHome, type TestHome} from './helpers.js'
import {type SecondEngine, secondEngineProblem, startSecondEngine, stopSecondEngines} from './second-engine.js'

const docker = await dockerAvailable('test/context.e2e.test.ts')
// Each case launches real containers on a shared, busy machine: minutes, not the default minute.
vi.setConfig({testTimeout: 300_000})
const problem = docker ? await secondEngineProblem() : 'no docker'
if (problem && docker) {
  if (process.env.CI === 'true') throw new Error(`test/context.e2e.test.ts: ${problem} (CI=true: it must run)`)
  process.stderr.write(`\n!!! SKIPPING the remote-engine tests: ${problem}\n\n`)
}
const TOKEN = 'remote-engine-token-value-4242'

let t: TestHome
let engine: SecondEngine | undefined

beforeAll(async () => {
  if (problem) return
  await ensureTestImage()
  engine = await startSecondEngine(TEST_IMAGE)
  t = makeHome({DOCKER_CONFIG: engine.dockerConfig})
  await t.ok(['secrets', 'new', 'hf', `HF_TOKEN=${TOKEN}`])
}, 180_000)
afterAll(async () => {
  if (t) await removeDockerStore(t)
  await stopSecondEngines()
}, 120_000)

/** Containers of this store on the main engine. */
async function mainEngineContainers(): Promise<string[]> {
  const id = await storeId(t)
  const {stdout} = await execa('docker', ['ps', '-aq', '--filter', `label=hush.store=${id}`], {stdin: 'ignore'})
  return stdout.split('\n').filter(Boolean)
}

describe.skipIf(Boolean(problem))('remote engines (docker contexts)', () => {
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
    expect(await mainEngineContainers()).toEqual([])

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
    expect(await mainEngineContainers()).toEqual([])
  })

  it('uses the dockerContext preference when no --context is given', async () => {
    const second = engine!
    writeFileSync(join(t.home, 'preferences.json'), JSON.stringify({dockerContext: second.context}), {mode: 0o600})
    const d = await submitJson<SubmitOutput>(t, [TEST_IMAGE, ...SLEEPER])
    expect((await second.docker(['inspect', d.containerId])).exitCode).toBe(0)
    expect(await mainEngineContainers()).toEqual([])
    await t.ok(['terminate', d.id, '--grace', '0'])
  })
})
