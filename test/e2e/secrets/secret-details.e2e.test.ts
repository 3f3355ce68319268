// One secret in detail and in place: `secrets show` (its JSON shape, the deployments and the version
// each runs), `secrets rotate --rename/--remove` (the value moves to the new key inside the agent;
// every bad input is one line, exit 2, nothing changed), `secrets presets`, and the typed-name
// confirmation of `secrets delete --force` on a terminal.
import {randomBytes} from 'node:crypto'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {
  AuditEvent,
  DeploymentInfo,
  ResubmitOutput,
  RotateSecretOutput,
  SecretDetail,
  SecretInfo,
  SubmitOutput,
} from '../../../src/api/contract.js'
import {dockerAvailable, inspectEnv, removeDockerStore, SLEEPER, submitJson, TEST_IMAGE} from '../../support/docker.js'
import {BIN, makeHome, sha256, type TestHome} from '../../support/helpers.js'
import {Tmux} from '../../support/terminal.js'

const docker = await dockerAvailable('test/e2e/secrets/secret-details.e2e.test.ts')

const HF_VALUE = 'hf_SENTINEL_rename_value_0001'

let t: TestHome
beforeEach(() => {
  t = makeHome()
})
afterEach(async () => {
  await removeDockerStore(t)
})

describe('secrets show', () => {
  it('shows one secret with the spec fields, never a value; deleted ones with --include-deleted', async () => {
    await t.ok(['secrets', 'new', 'db', 'URL=postgres://u:SENTINEL_show@h/d', 'USER=u', '--description', 'main db'])
    const shown = await t.json<SecretDetail>(['secrets', 'show', 'db'])
    expect(shown).toEqual({
      name: 'db',
      app: null,
      keys: ['URL', 'USER'],
      description: 'main db',
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      usedBy: [],
      deployments: [],
    })
    const human = await t.ok(['secrets', 'show', 'db'])
    expect(human.stdout).toMatch(/^name: +db$/m)
    expect(human.stdout).toMatch(/^keys: +URL, USER$/m)
    expect(human.stdout).toMatch(/^deleted: +no$/m)
    expect(human.stdout + human.stderr).not.toContain('SENTINEL')

    const missing = await t.hush(['secrets', 'show', 'nope'])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toBe('hush: No secret named nope: see `hush secrets list`.')

    await t.ok(['secrets', 'delete', 'db'])
    expect((await t.hush(['secrets', 'show', 'db'])).exitCode).toBe(1)
    const deleted = await t.json<SecretDetail>(['secrets', 'show', 'db', '--include-deleted'])
    expect(deleted).toMatchObject({name: 'db', version: 1, deletedAt: expect.any(String), deployments: []})
  })

  it('lists the presets and their canonical keys', async () => {
    const presets = await t.json<Array<{preset: string; key: string}>>(['secrets', 'presets'])
    expect(presets).toContainEqual({preset: 'hf', key: 'HF_TOKEN'})
    expect(presets).toContainEqual({preset: 'openai', key: 'OPENAI_API_KEY'})
    const human = await t.ok(['secrets', 'presets'])
    expect(human.stdout).toMatch(/^hf +HF_TOKEN$/m)
    expect(t.agentPid()).toBeUndefined()
  })
})

describe('rotate --rename / --remove: bad input', () => {
  it('refuses each with one line, exit 2, and changes nothing', async () => {
    await t.ok(['secrets', 'new', 'hf', 'HF_TOKEN=v1', 'HF_USER=u', 'OTHER=o'])
    const before = await t.json<SecretInfo[]>(['secrets', 'list'])
    const cases: Array<[string[], RegExp]> = [
      [['--rename', 'HF_TOKEN=HF_TOKEN'], /renames a key to itself/],
      [['--rename', 'HF_TOKEN=HF_USER'], /already has a key HF_USER/],
      [['--rename', 'NOPE=NEW_KEY'], /has no key NOPE to rename/],
      [['--rename', 'HF_TOKEN=1BAD'], /Invalid key in --rename number 1 \(not shown: it may be a value\)/],
      [['--rename', 'HF_TOKEN'], /--rename number 1 is not OLD=NEW: write --rename OLD=NEW/],
      [['--remove', 'NOPE'], /has no key NOPE to remove/],
      [['--rename', 'HF_TOKEN=NEW_KEY', '--remove', 'HF_TOKEN'], /both renamed and removed/],
      [['--remove', 'HF_TOKEN', '--remove', 'HF_USER', '--remove', 'OTHER'], /no key: delete the secret instead/],
      [['--remove', 'OTHER', 'OTHER=again'], /both given a value and removed/],
    ]
    for (const [args, message] of cases) {
      const result = await t.hush(['secrets', 'rotate', 'hf', ...args])
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.stderr.split('\n'), args.join(' ')).toHaveLength(1)
      expect(result.stderr, args.join(' ')).toMatch(message)
    }
    expect(await t.json<SecretInfo[]>(['secrets', 'list'])).toEqual(before)
    const audit = await t.json<AuditEvent[]>(['audit'])
    expect(audit.map((event) => event.event)).toEqual(['secret.created'])
  })
})

describe.skipIf(!docker)('rotate --rename / --remove with a container', () => {
  it('moves the value to the new key: STALE, then after resubmit the container has it, the old key gone', async () => {
    await t.ok(['secrets', 'new', 'hf', `HF_TOKEN=${HF_VALUE}`, 'HF_OLD=stale-extra'])
    // docker's container names are global to the engine: a name of this run only.
    const name = `train-${randomBytes(3).toString('hex')}`
    const job = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--name', name, '--secret', 'hf', ...SLEEPER])

    const rotated = await t.json<RotateSecretOutput>([
      'secrets',
      'rotate',
      'hf',
      '--rename',
      'HF_TOKEN=HUGGINGFACE_TOKEN',
      '--remove',
      'HF_OLD',
    ])
    expect(rotated).toMatchObject({
      secret: {version: 2, keys: ['HUGGINGFACE_TOKEN']},
      renamedKeys: [{from: 'HF_TOKEN', to: 'HUGGINGFACE_TOKEN'}],
      removedKeys: ['HF_OLD'],
      changedKeys: [],
      addedKeys: [],
      staleDeployments: [job.id],
    })
    expect(JSON.stringify(rotated)).not.toContain('SENTINEL')
    expect((await t.json<DeploymentInfo>(['status', job.id])).stale).toBe(true)
    const shown = await t.json<SecretDetail>(['secrets', 'show', 'hf'])
    expect(shown.deployments).toEqual([{id: job.id, name, version: 1, stale: true}])

    const again = await t.json<ResubmitOutput>(['resubmit', job.id])
    const env = await inspectEnv(again.containerId)
    expect(sha256(env.HUGGINGFACE_TOKEN ?? '')).toBe(sha256(HF_VALUE))
    expect(env).not.toHaveProperty('HF_TOKEN')
    expect(env).not.toHaveProperty('HF_OLD')
    expect((await t.json<SecretDetail>(['secrets', 'show', 'hf'])).deployments).toEqual([
      {id: job.id, name, version: 2, stale: false},
    ])
    const audit = await t.json<AuditEvent[]>(['audit'])
    expect(audit.find((event) => event.event === 'secret.rotated')).toMatchObject({
      keys: ['HF_OLD', 'HF_TOKEN', 'HUGGINGFACE_TOKEN'],
      version: 2,
    })
  })
})

describe.skipIf(!docker)('secrets delete --force of a secret in use', () => {
  it('without a terminal needs --yes; on a terminal asks to type the name', async () => {
    await t.ok(['secrets', 'new', 'api', 'API_TOKEN=SENTINEL_confirm'])
    await t.ok(['secrets', 'new', 'spare', 'K=v'])
    const job = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'api', ...SLEEPER])

    const headless = await t.hush(['secrets', 'delete', 'api', '--force'])
    expect(headless.exitCode).toBe(2)
    expect(headless.stderr).toBe(
      `hush: This would delete secret api, used by live deployment ${job.id}: with no terminal to confirm on, add --yes.`,
    )
    // A secret nobody uses goes at once, --force or not, with no question.
    await t.ok(['secrets', 'delete', 'spare', '--force'])

    const tmux = new Tmux(join(t.home, 'tmux.sock'))
    try {
      const env = Object.entries(t.env)
        .map(([key, value]) => `${key}='${value}'`)
        .join(' ')
      const run = `env ${env} '${process.execPath}' '${BIN}' secrets delete api --force; echo EXIT=$?; sleep 60`
      const wrong = await tmux.open(run)
      await wrong.until('Type api to go ahead:')
      await wrong.keys('apx', 'Enter')
      await wrong.until('EXIT=1')
      expect(await wrong.screen()).toContain('Not confirmed (expected api): nothing changed.')
      expect((await t.json<SecretInfo[]>(['secrets', 'list'])).map((s) => s.name)).toEqual(['api'])

      const right = await tmux.open(run)
      const asked = await right.until('Type api to go ahead:')
      expect(asked).toContain(`This will delete secret api, used by live deployment ${job.id}.`)
      await right.keys('api', 'Enter')
      await right.until('EXIT=0')
      expect(await right.screen()).toContain('Deleted secret api')
      expect(await t.json<SecretInfo[]>(['secrets', 'list'])).toEqual([])
    } finally {
      await tmux.kill()
    }
  })
})
