// `hush secrets new / list / rotate / delete` and `hush audit` through bin/run.js, against a real
// agent and the real OS keyring.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {AuditEvent, CreateSecretOutput, RotateSecretOutput, SecretInfo} from '../../../src/api/contract.js'
import {makeHome, type TestHome} from '../../support/helpers.js'

let t: TestHome
beforeEach(() => {
  t = makeHome()
})
afterEach(async () => {
  await t.cleanup()
})

describe('secrets', () => {
  it('creates, lists, replaces, rotates and deletes, with the spec JSON shapes', async () => {
    const created = await t.json<CreateSecretOutput>([
      'secrets',
      'new',
      'hf',
      'HF_TOKEN=hf_aaaa',
      '--description',
      'HF read',
    ])
    expect(created.replaced).toBe(false)
    expect(created.secret).toMatchObject({
      name: 'hf',
      keys: ['HF_TOKEN'],
      version: 1,
      description: 'HF read',
      usedBy: [],
    })

    const person = await t.hush(['secrets', 'new', 'wandb', 'WANDB_API_KEY=w1', 'WANDB_ENTITY=team'])
    expect(person.exitCode).toBe(0)
    expect(person.stdout).toContain('Created secret wandb: version 1, keys WANDB_API_KEY, WANDB_ENTITY.')

    const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed.map((s) => s.name)).toEqual(['hf', 'wandb'])
    for (const secret of listed) {
      expect(Object.keys(secret).sort()).toEqual(
        ['app', 'createdAt', 'description', 'keys', 'name', 'updatedAt', 'usedBy', 'version'].sort(),
      )
      expect(Number.isNaN(Date.parse(secret.createdAt))).toBe(false)
    }

    const table = await t.hush(['secrets', 'list'])
    expect(table.stdout.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'SCOPE',
      'KEYS',
      'VERSION',
      'UPDATED',
      'USED BY',
      'DESCRIPTION',
    ])
    expect(table.stdout).toMatch(/^hf\s+shared\s+HF_TOKEN\s+1\s+\d+s ago\s+-\s+HF read$/m)
    expect(table.stdout).not.toContain('hf_aaaa')

    const replaced = await t.hush(['secrets', 'new', 'hf', 'HF_TOKEN=hf_bbbb', 'HF_HOME=/cache'])
    expect(replaced.exitCode).toBe(0)
    expect(replaced.stdout).toContain('Replaced secret hf: version 2, keys HF_HOME, HF_TOKEN.')

    const rotated = await t.json<RotateSecretOutput>(
      ['secrets', 'rotate', 'hf', '--from-stdin', 'HF_TOKEN', 'EXTRA=1'],
      {
        input: 'hf_cccc\n',
      },
    )
    expect(rotated.secret.version).toBe(3)
    expect(rotated.secret.keys).toEqual(['EXTRA', 'HF_HOME', 'HF_TOKEN'])
    expect(rotated.changedKeys).toEqual(['HF_TOKEN'])
    expect(rotated.addedKeys).toEqual(['EXTRA'])
    expect(rotated.secret.description).toBe('HF read')

    const deleted = await t.hush(['secrets', 'delete', 'wandb'])
    expect(deleted.exitCode).toBe(0)
    const live = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(live.map((s) => s.name)).toEqual(['hf'])
    const all = await t.json<SecretInfo[]>(['secrets', 'list', '--include-deleted'])
    const gone = all.find((s) => s.name === 'wandb')
    expect(gone?.deletedAt).toBeTruthy()
    expect(gone?.keys).toEqual(['WANDB_API_KEY', 'WANDB_ENTITY'])

    // A deleted name is free again at once.
    const again = await t.json<CreateSecretOutput>(['secrets', 'new', 'wandb', 'WANDB_API_KEY=w2'])
    expect(again.replaced).toBe(false)
    expect(again.secret.version).toBe(1)

    const events = await t.json<AuditEvent[]>(['audit'])
    expect(events.map((e) => [e.event, e.secret, e.version])).toEqual([
      ['secret.created', 'hf', 1],
      ['secret.created', 'wandb', 1],
      ['secret.replaced', 'hf', 2],
      ['secret.rotated', 'hf', 3],
      ['secret.deleted', 'wandb', 1],
      ['secret.created', 'wandb', 1],
    ])
    expect(events[3].keys).toEqual(['EXTRA', 'HF_TOKEN'])
  })

  it('takes values from the environment, stdin, a dotenv file and presets', async () => {
    const {writeFileSync} = await import('node:fs')
    const dotenv = `${t.home}/app.env`
    writeFileSync(dotenv, 'DB_USER=app\nDB_PASSWORD="p a#ss"\n# comment\n')
    const fromDotenv = await t.json<CreateSecretOutput>(['secrets', 'new', 'db', '--from-dotenv', dotenv])
    expect(fromDotenv.secret.keys).toEqual(['DB_PASSWORD', 'DB_USER'])

    const fromEnv = await t.json<CreateSecretOutput>(
      ['secrets', 'new', 'gh', '--from-env', 'GH_A', '--from-env', 'GH_B', 'X=1'],
      {
        env: {GH_A: 'a', GH_B: 'b'},
      },
    )
    expect(fromEnv.secret.keys).toEqual(['GH_A', 'GH_B', 'X'])

    const preset = await t.json<CreateSecretOutput>(['secrets', 'new', 'oa', '--preset', 'openai'], {
      input: 'sk-test\n',
    })
    expect(preset.secret.keys).toEqual(['OPENAI_API_KEY'])
  })

  it('prints an empty store hint and never a value in human output', async () => {
    const empty = await t.hush(['secrets', 'list'])
    expect(empty.stdout).toContain('hush secrets new')
  })
})
