// Deployments over time against the real Docker engine: delete refused while in use, --force,
// rotate -> STALE -> resubmit, --wait's exit code, redacted logs, and kill -9 of the agent.
import {randomBytes} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import type {DeploymentInfo, ResubmitOutput, SubmitOutput} from '../../../src/api/contract.js'
import {
  containerOutput,
  dockerTestFile,
  inspect,
  inspectEnv,
  SLEEPER,
  submitJson,
  TEST_IMAGE,
} from '../../support/docker.js'
import {isAlive, waitFor} from '../../support/helpers.js'

const {docker, t} = await dockerTestFile(import.meta.url)

describe.skipIf(!docker)('deployment lifecycle', () => {
  it('refuses to delete a secret a live deployment uses, naming every one; allows it after terminate', async () => {
    await t.ok(['secrets', 'new', 'db', 'PGPASSWORD=pw-1'])
    const a = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'db', ...SLEEPER])
    const b = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'PW=db:PGPASSWORD', ...SLEEPER])
    const listed = await t.json<Array<{name: string; usedBy: string[]}>>(['secrets', 'list'])
    expect(listed[0].usedBy.sort()).toEqual([a.id, b.id].sort())

    const refused = await t.hush(['secrets', 'delete', 'db'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain(a.id)
    expect(refused.stderr).toContain(b.id)
    const json = await t.hush(['secrets', 'delete', 'db', '--json'])
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'secret_in_use'})
    expect(JSON.parse(json.stdout).error.deployments.sort()).toEqual([a.id, b.id].sort())

    // Replacing the bundle names the live deployments still on the old version.
    const replaced = await t.ok(['secrets', 'new', 'db', 'PGPASSWORD=pw-2'])
    expect(replaced.stdout).toContain('Still running the old version:')
    expect(replaced.stdout).toContain(a.id)
    expect(replaced.stdout).toContain(b.id)

    const terminated = await t.json<DeploymentInfo>(['terminate', a.id])
    expect(terminated.state).toBe('terminated')
    expect(await inspect(a.containerId)).toBeUndefined()
    const stillRefused = await t.hush(['secrets', 'delete', 'db', '--json'])
    expect(JSON.parse(stillRefused.stdout).error.deployments).toEqual([b.id])
    await t.ok(['terminate', b.id])
    await t.ok(['secrets', 'delete', 'db'])
    const audit = await t.json<Array<{event: string; deployment: string | null}>>(['audit'])
    expect(audit.filter((e) => e.event === 'deployment.terminated').map((e) => e.deployment)).toEqual([a.id, b.id])
  })

  it('--force deletes while running: the container keeps running, resubmit fails fast and leaves it alone', async () => {
    await t.ok(['secrets', 'new', 'api', 'API_TOKEN=tok-1'])
    const d = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'api', ...SLEEPER])
    const forced = await t.ok(['secrets', 'delete', 'api', '--force', '--yes'])
    expect(forced.stdout).toContain(d.id)
    expect((await inspect(d.containerId))?.State.Running).toBe(true)

    const again = await t.hush(['resubmit', d.id, '--json'])
    expect(again.exitCode).toBe(1)
    expect(JSON.parse(again.stdout).error).toMatchObject({code: 'unknown_secret', missing: ['api']})
    const facts = await inspect(d.containerId)
    expect(facts?.State.Running).toBe(true)
    const status = await t.json<DeploymentInfo>(['status', d.id])
    expect(status).toMatchObject({state: 'running', containerId: d.containerId, revision: 1, stale: true})
  })

  it('rotate marks a deployment STALE; resubmit gives the new value in a new container, revision 2', async () => {
    await t.ok(['secrets', 'new', 'hf', 'HF_TOKEN=old-value', 'HF_HOME=/cache'])
    const d = await submitJson<SubmitOutput>(t, [
      TEST_IMAGE,
      '--secret',
      'hf',
      '--name',
      `job-${randomBytes(3).toString('hex')}`,
      ...SLEEPER,
    ])
    const rotated = await t.ok(['secrets', 'rotate', 'hf', '--from-stdin', 'HF_TOKEN'], {input: 'new-value\n'})
    expect(rotated.stdout).toContain(`hush resubmit ${d.id}`)

    expect((await t.json<DeploymentInfo>(['status', d.id])).stale).toBe(true)
    const table = await t.ok(['status'])
    expect(table.stdout.split('\n')[0].split(/\s{2,}/)).toEqual([
      'ID',
      'NAME',
      'IMAGE',
      'STATE',
      'SECRETS',
      'STALE',
      'AGE',
    ])
    expect(table.stdout).toMatch(new RegExp(`^${d.id}\\s+job-\\w+\\s+${TEST_IMAGE}\\s+running\\s+hf\\s+yes\\s+`, 'm'))

    const re = await t.json<ResubmitOutput>(['resubmit', d.id])
    expect(re.revision).toBe(2)
    expect(re.containerId).not.toBe(d.containerId)
    expect(await inspect(d.containerId)).toBeUndefined()
    expect(await inspectEnv(re.containerId)).toMatchObject({HF_TOKEN: 'new-value', HF_HOME: '/cache'})
    const after = await t.json<DeploymentInfo>(['status', d.id])
    expect(after).toMatchObject({revision: 2, stale: false, state: 'running', containerId: re.containerId})
    expect(after.secrets).toEqual([
      {name: 'hf', keys: ['HF_HOME', 'HF_TOKEN'], env: ['HF_HOME', 'HF_TOKEN'], files: [], version: 2},
    ])
    expect((await t.ok(['status'])).stdout).toMatch(
      new RegExp(`^${d.id}\\s+job-\\w+\\s+${TEST_IMAGE}\\s+running\\s+hf\\s+-\\s+`, 'm'),
    )

    // --resubmit does it in one go.
    await t.ok(['secrets', 'rotate', 'hf', 'HF_TOKEN=third-value', '--resubmit'])
    const third = await t.json<DeploymentInfo>(['status', d.id])
    expect(third).toMatchObject({revision: 3, stale: false})
    expect(await inspectEnv(third.containerId!)).toMatchObject({HF_TOKEN: 'third-value'})
  })

  it('rotate --resubmit resubmits the stale jobs and names each skipped session with why, one line each', async () => {
    await t.ok(['secrets', 'new', 'tok', 'TOKEN=first-value'])
    const job = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'tok', ...SLEEPER])
    // A live session (-i with a closed stdin: its command runs on without reading it).
    const session = t.hush(['submit', '-i', TEST_IMAGE, '--secret', 'tok', '--', 'sh', '-c', 'sleep 120'], {input: ''})
    let sessionId = ''
    await waitFor(async () => {
      const live = (await t.json<DeploymentInfo[]>(['status'])).find((item) => item.id !== job.id)
      sessionId = live?.state === 'running' ? live.id : ''
      return sessionId !== ''
    }, 60_000)
    const rotated = await t.hush(['secrets', 'rotate', 'tok', 'TOKEN=second-value', '--resubmit'])
    expect(rotated.exitCode, rotated.stderr).toBe(0)
    const lines = rotated.stdout.trim().split('\n')
    expect(lines).toContain(`Resubmitted ${job.id}: revision 2.`)
    expect(lines).toContain(
      `Skipped ${sessionId}: it is an interactive session (-i/-t), never resubmitted: start a new one with \`hush submit -it ...\`.`,
    )
    expect(await t.json<DeploymentInfo>(['status', job.id])).toMatchObject({revision: 2, stale: false})
    expect(await t.json<DeploymentInfo>(['status', sessionId])).toMatchObject({revision: 1, stale: true})
    await t.ok(['terminate', sessionId, '--grace', '0'])
    await session
  })

  it('--wait follows the redacted output and exits with the container code; logs redact split values', async () => {
    const value = `split-secret-${randomBytes(6).toString('hex')}`
    await t.ok(['secrets', 'new', 'tok', `TOK=${value}`])
    const half = value.length / 2
    // The value leaves the container in two writes a moment apart, so docker streams it in two chunks.
    const script = `printf 'before %s' "\${TOK%${value.slice(half)}}"; sleep 1; printf '%s after\\n' "\${TOK#${value.slice(0, half)}}"; echo "err $TOK" >&2; exit 7`
    const waited = await t.hush(['submit', TEST_IMAGE, '--secret', 'tok', '--wait', '--', 'sh', '-c', script])
    expect(waited.exitCode).toBe(7)
    expect(waited.stdout).toContain('before *** after')
    expect(waited.stderr).toContain('err ***')
    expect(waited.stdout + waited.stderr).not.toContain(value.slice(0, half))

    // Past docker's 16 KiB log buffer, so docker itself cuts the line inside the value.
    const filler = `i=0; while [ $i -lt 1637 ]; do printf aaaaaaaaaa; i=$((i+1)); done; printf '%s' "$TOK"; echo ' tail'`
    const long = await t.hush(['submit', TEST_IMAGE, '--secret', 'tok', '--wait', '--', 'sh', '-c', filler])
    expect(long.exitCode).toBe(0)
    expect(long.stdout).toContain(`${'a'.repeat(100)}*** tail`)
    expect(long.stdout).not.toContain(value.slice(0, 4))

    const [d] = (await t.json<DeploymentInfo[]>(['status'])).filter((item) => item.exitCode === 7)
    expect(d).toMatchObject({state: 'failed', exitCode: 7})
    expect(await containerOutput(d.containerId!)).toContain(value)
    const logs = await t.ok(['logs', d.id])
    expect(logs.stdout).toContain('before *** after')
    expect(logs.stdout + logs.stderr).not.toContain(value)
  })

  it('keeps deployments right across kill -9 of the agent while containers run', async () => {
    await t.ok(['secrets', 'new', 'k', 'K=v-1'])
    const long = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'k', ...SLEEPER])
    const short = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'k', '--', 'sh', '-c', 'sleep 2; exit 3'])
    const pid = t.agentPid()!
    process.kill(pid, 'SIGKILL')
    await waitFor(() => !isAlive(pid), 10_000)
    // The short job ends while no agent runs.
    await waitFor(async () => (await inspect(short.containerId))?.State.Running === false, 30_000)

    const all = await t.json<DeploymentInfo[]>(['status'])
    expect(t.agentPid()).not.toBe(pid)
    const byId = Object.fromEntries(all.map((d) => [d.id, d]))
    expect(byId[long.id]).toMatchObject({state: 'running', containerId: long.containerId})
    expect(byId[short.id]).toMatchObject({state: 'failed', exitCode: 3})
    const refused = await t.hush(['secrets', 'delete', 'k', '--json'])
    expect(JSON.parse(refused.stdout).error.deployments).toEqual([long.id])
    await t.ok(['terminate', long.id])
    expect((await t.json<DeploymentInfo>(['status', long.id])).state).toBe('terminated')
  })
})
