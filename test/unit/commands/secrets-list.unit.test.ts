// `hush secrets list` in-process: the table, --json as the agent answered, the filters sent, and
// usage errors refused before anything is sent.
import {describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import SecretsList from '../../../src/commands/secrets/list.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const HF: SecretInfo = {
  name: 'hf',
  app: null,
  keys: ['HF_TOKEN'],
  description: 'Hugging Face',
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  usedBy: ['d-1', 'd-2'],
}
const DB: SecretInfo = {...HF, name: 'db', app: 'api', keys: ['PGUSER', 'PGPASSWORD'], description: '', usedBy: []}
const OLD: SecretInfo = {...HF, name: 'old', usedBy: [], deletedAt: '2026-01-03T00:00:00.000Z'}

const agent = inProcessAgent(({record}) => ({
  listSecrets: (input) => {
    record('listSecrets', input)
    if (input.app === 'none') return []
    if (input.app === 'api') return [DB]
    return input.includeDeleted ? [HF, DB, OLD] : [HF, DB]
  },
}))

const list = (input: object) => [{route: 'listSecrets', input}]

describe('hush secrets list', () => {
  const cases: CommandCase[] = [
    {
      name: 'a table: name, scope, keys, version, updated, users, description',
      argv: [],
      stdout:
        /^NAME +SCOPE +KEYS +VERSION +UPDATED +USED BY +DESCRIPTION\nhf +shared +HF_TOKEN +3 +.+ago +d-1, d-2 +Hugging Face\ndb +app api +PGUSER,PGPASSWORD +3 .+\n$/,
      received: list({}),
    },
    {
      name: '--include-deleted adds a DELETED column, filled for a deleted secret',
      argv: ['--include-deleted'],
      stdout: /^NAME .+DESCRIPTION +DELETED\n(.+\n){2}old +shared .+ago\n$/,
      received: list({includeDeleted: true}),
    },
    {name: '--app sends the scope', argv: ['--app', 'api'], stdout: /\ndb +app api /, received: list({app: 'api'})},
    {name: '--shared sends it', argv: ['--shared'], stdout: /^NAME/, received: list({shared: true})},
    {
      name: 'no secrets: how to make one',
      argv: ['--app', 'none'],
      stdout: 'No secrets yet. Create one with: hush secrets new NAME --from-stdin KEY\n',
      received: list({app: 'none'}),
    },
    {
      name: '--app and --shared exclude each other: a usage error, nothing sent',
      argv: ['--app', 'api', '--shared'],
      stdout: '',
      stderr: /^hush: --shared=true cannot also be provided when using --app \(see --help\)\.\n$/,
      exitCode: 2,
    },
    {
      name: 'an argument is refused',
      argv: ['hf'],
      stdout: '',
      stderr: /^hush: Unexpected argument: hf \(see --help\)\.\n$/,
      exitCode: 2,
    },
    {
      name: 'an unknown flag is refused',
      argv: ['--all'],
      stdout: '',
      stderr: /^hush: Nonexistent flag: --all \(see --help\)\.\n$/,
      exitCode: 2,
    },
  ]
  it.each(cases)('$name', async (row) => {
    await agent.check(SecretsList, row)
  })

  it('--json prints the agent’s answer as it came, and no table', async () => {
    const {stdout} = await agent.check(SecretsList, {
      name: 'json',
      argv: ['--json', '--include-deleted'],
      received: list({includeDeleted: true}),
    })
    expect(JSON.parse(stdout)).toEqual([HF, DB, OLD])
  })

  it('--json with no secrets is an empty list, not the hint', async () => {
    const {stdout} = await agent.check(SecretsList, {
      name: 'json',
      argv: ['--json', '--app', 'none'],
      received: list({app: 'none'}),
    })
    expect(JSON.parse(stdout)).toEqual([])
  })
})
