// A copy of a store (`cp -a` of HUSH_HOME) is another store: opened at another directory it takes
// its own store id, so the two agents never see, let alone remove, each other's containers; and a
// container of a deployment id a store never recorded is left alone by its reconciliation.
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {
  dockerAvailable,
  inspect,
  labelId,
  removeDockerStore,
  SLEEPER,
  storeId,
  submitJson,
  TEST_IMAGE,
} from '../../support/docker.js'
import {makeHome, type TestHome} from '../../support/helpers.js'

const docker = await dockerAvailable(import.meta.url)

let t: TestHome
let copy: TestHome
beforeEach(() => {
  t = makeHome()
  copy = makeHome()
})
afterEach(async () => {
  await removeDockerStore(copy)
  await removeDockerStore(t)
})

/** The docker state of a container, or 'gone'. */
async function stateOf(containerId: string): Promise<string> {
  return (await inspect(containerId))?.State.Status ?? 'gone'
}

describe.skipIf(!docker)('a copied store', () => {
  it('gets its own id, and neither agent removes the containers of the other', async () => {
    await t.ok(['secrets', 'new', 'api', 'TOKEN=copy-test-value'])
    const original = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'api', '--name', 'orig', ...SLEEPER])
    await t.ok(['daemon', 'stop'])
    await execa('rm', ['-rf', copy.home])
    await execa('cp', ['-a', t.home, copy.home])

    // The copy's agent (its own runtime directory: the socket's follows HUSH_HOME) launches a container of its own.
    const copied = await submitJson<SubmitOutput>(copy, [TEST_IMAGE, '--secret', 'api', '--name', 'dup', ...SLEEPER])
    expect((await copy.ok(['daemon', 'status'])).stdout).toContain(`store:      ${copy.home}`)

    // The copy's record of the original's deployment names no container: terminating it there stops nothing.
    const inCopy = await copy.json<DeploymentInfo>(['status', 'orig'])
    expect([inCopy.state, inCopy.containerId]).toEqual(['failed', null])
    await copy.ok(['terminate', 'orig', '--grace', '0'])
    expect(await stateOf(original.containerId)).toBe('running')

    // Both agents start afresh and reconcile with docker: each one's container keeps running.
    await copy.ok(['daemon', 'stop'])
    expect((await t.json<DeploymentInfo>(['status', 'orig'])).state).toBe('running')
    expect((await copy.json<DeploymentInfo>(['status', 'dup'])).state).toBe('running')
    await t.ok(['daemon', 'stop'])
    await copy.ok(['daemon', 'stop'])
    await copy.ok(['status'])
    await t.ok(['status'])
    expect(await stateOf(original.containerId)).toBe('running')
    expect(await stateOf(copied.containerId)).toBe('running')
    expect((await t.json<DeploymentInfo>(['status', 'orig'])).state).toBe('running')
    expect((await copy.json<DeploymentInfo>(['status', 'dup'])).state).toBe('running')

    // The copy's containers carry a label id of its own, kept on later openings; the original
    // keeps its store id as label. Both keep the store id their ciphertexts are bound to.
    const [originalId, copyId] = [await labelId(t), await labelId(copy)]
    expect(originalId).toBe(await storeId(t))
    expect(copyId).not.toBe(originalId)
    expect(await storeId(copy)).toBe(await storeId(t))
    await copy.ok(['daemon', 'stop'])
    await copy.ok(['status'])
    expect(await labelId(copy)).toBe(copyId)
    expect(await labelId(t)).toBe(originalId)
  })
  it('leaves alone a container of a deployment id the store never recorded', async () => {
    await t.ok(['secrets', 'new', 'api', 'TOKEN=copy-test-value'])
    const own = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'api', ...SLEEPER])
    const label = await labelId(t)
    const run = await execa(
      'docker',
      [
        'run',
        '-d',
        '--label',
        `hush.store=${label}`,
        '--label',
        'hush.deployment=d-neverrecorded',
        '--label',
        'hush.revision=1',
        TEST_IMAGE,
        ...SLEEPER.slice(1),
      ],
      {stdin: 'ignore'},
    )
    const containerId = run.stdout.trim()
    await t.ok(['daemon', 'stop'])
    await t.ok(['status'])
    await t.ok(['status'])
    expect(await stateOf(containerId)).toBe('running')
    expect(await stateOf(own.containerId)).toBe('running')
    await execa('docker', ['rm', '-f', containerId], {stdin: 'ignore'})
  })
})
