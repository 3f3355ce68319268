// Names wherever ids go: status, logs, resubmit and terminate take a deployment's name; a name is
// unique among live deployments (even when two submits race) and free again after terminate.
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import type {DeploymentInfo, ResubmitOutput, SubmitOutput} from '../../../src/api/contract.js'
import {
  dockerAvailable,
  ensureTestImage,
  removeDockerStore,
  SLEEPER,
  storeContainers,
  submitJson,
  TEST_IMAGE,
} from '../../support/docker.js'
import {makeHome, type TestHome} from '../../support/helpers.js'

const docker = await dockerAvailable(import.meta.url)
// Each case launches real containers on a shared, busy machine: minutes, not the default minute.
vi.setConfig({testTimeout: 300_000})

let t: TestHome
const name = `pg-${process.pid}`

beforeAll(async () => {
  if (!docker) return
  await ensureTestImage()
  t = makeHome()
  await t.ok(['secrets', 'new', 'db', 'PASSWORD=name-test-value'])
})
afterAll(async () => {
  if (t) await removeDockerStore(t)
})

describe.skipIf(!docker)('deployment names', () => {
  it('status, logs, resubmit and terminate take the name; a second live one is refused; terminate frees it', async () => {
    const script = ['--', 'sh', '-c', 'echo "pw=$PASSWORD"; trap "exit 0" TERM; sleep 300 & wait']
    const first = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'db', '--name', name, ...script])

    expect((await t.json<DeploymentInfo>(['status', name])).id).toBe(first.id)
    expect((await t.ok(['status', name])).stdout).toContain(`id:         ${first.id}`)
    const logs = await t.ok(['logs', name])
    expect(logs.stdout).toContain('pw=***')

    const before = await storeContainers(t)
    const second = await t.hush(['submit', TEST_IMAGE, '--name', name, ...SLEEPER])
    expect(second.exitCode).toBe(2)
    expect(second.stderr.trim().split('\n')).toHaveLength(1)
    expect(second.stderr).toContain(`The name ${name} is taken by live deployment ${first.id}`)
    expect(await storeContainers(t)).toEqual(before)

    const resubmitted = await t.json<ResubmitOutput>(['resubmit', name])
    expect([resubmitted.id, resubmitted.revision]).toEqual([first.id, 2])

    const terminated = await t.json<DeploymentInfo>(['terminate', name, '--grace', '0'])
    expect([terminated.id, terminated.state]).toEqual([first.id, 'terminated'])

    // Free again: a new deployment takes the name, and the name now means it.
    const next = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--name', name, ...SLEEPER])
    expect(next.id).not.toBe(first.id)
    expect((await t.json<DeploymentInfo>(['status', name])).id).toBe(next.id)
    expect((await t.json<DeploymentInfo>(['status', first.id])).state).toBe('terminated')
    await t.ok(['terminate', name, '--grace', '0'])
  })

  it('lets only one of three racing submits take a name', async () => {
    const raced = `${name}-race`
    const results = await Promise.all(
      [1, 2, 3].map(() => t.hush(['submit', TEST_IMAGE, '--name', raced, '--json', ...SLEEPER])),
    )
    expect(results.map((result) => result.exitCode).sort()).toEqual([0, 2, 2])
    for (const result of results.filter((item) => item.exitCode === 2)) {
      expect(JSON.parse(result.stdout).error.code).toBe('name_in_use')
    }
    const live = (await t.json<DeploymentInfo[]>(['status'])).filter((d) => d.name === raced && d.state === 'running')
    expect(live).toHaveLength(1)
    await t.ok(['terminate', raced, '--grace', '0'])
  })

  it('answers a name never used in one line, exit 2', async () => {
    for (const command of [['logs'], ['status'], ['terminate'], ['resubmit']]) {
      const result = await t.hush([...command, 'never-used-name'])
      expect(result.exitCode, command[0]).toBe(2)
      expect(result.stderr.trim(), command[0]).toBe(
        'hush: No deployment with id or name never-used-name: see `hush status`.',
      )
    }
  })
})
