// `hush secrets show` in-process: one secret in full, who runs which version of it, never a value.
import {describe, expect, it} from 'vitest'
import type {SecretDetail} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import SecretsShow from '../../../src/commands/secrets/show.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const HF: SecretDetail = {
  name: 'hf',
  app: null,
  keys: ['HF_TOKEN', 'HF_USER'],
  description: 'Hugging Face',
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  usedBy: ['d-1', 'd-2', 'd-3'],
  deployments: [
    {id: 'd-1', name: 'web', version: 3, stale: false},
    {id: 'd-2', name: null, version: 2, stale: true},
    {id: 'd-3', name: null, version: null, stale: false},
  ],
}
const DELETED: SecretDetail = {
  ...HF,
  name: 'old',
  app: 'api',
  description: '',
  usedBy: [],
  deployments: [],
  deletedAt: '2026-01-03T00:00:00.000Z',
}

const agent = inProcessAgent(({record}) => ({
  showSecret: (input) => {
    record('showSecret', input)
    if (input.name === 'old' && input.includeDeleted) return DELETED
    if (input.name === 'hf') return HF
    throw new HushError('secret_not_found', `No secret ${input.name}.`)
  },
}))

const shown = (input: object) => [{route: 'showSecret', input}]

describe('hush secrets show', () => {
  const cases: CommandCase[] = [
    {
      name: 'every field, and each deployment with the version it runs',
      argv: ['hf'],
      stdout: new RegExp(
        [
          '^name: {8}hf',
          'scope: {7}shared',
          'description: Hugging Face',
          'keys: {8}HF_TOKEN, HF_USER',
          'version: {5}3',
          'created: {5}2026-01-01T00:00:00.000Z \\(.+ago\\)',
          'updated: {5}2026-01-02T00:00:00.000Z \\(.+ago\\)',
          'deleted: {5}no',
          'used by: {5}d-1 \\(web\\) version 3, d-2 version 2, stale, d-3 starting\n$',
        ].join('\n'),
      ),
      received: shown({name: 'hf'}),
    },
    {
      name: '--include-deleted shows a deleted one: its scope, when, and no users',
      argv: ['old', '--include-deleted', '--app', 'api'],
      stdout:
        /\nscope: {7}app api\ndescription: -\n(.+\n){4}deleted: {5}2026-01-03T00:00:00\.000Z \(.+ago\)\nused by: {5}-\n$/,
      received: shown({name: 'old', app: 'api', includeDeleted: true}),
    },
    {
      name: 'an unknown secret: the agent’s line, exit 1',
      argv: ['old'],
      stdout: '',
      stderr: 'hush: No secret old.\n',
      exitCode: 1,
      received: shown({name: 'old'}),
    },
    {name: 'no name', argv: [], stdout: '', stderr: /^hush: Missing 1 required arg:/, exitCode: 2},
    {
      name: 'an unknown flag',
      argv: ['hf', '--values'],
      stdout: '',
      stderr: 'hush: Nonexistent flag: --values (see --help).\n',
      exitCode: 2,
    },
  ]
  it.each(cases)('$name', async (row) => {
    await agent.check(SecretsShow, row)
  })

  it('--json prints the agent’s answer and nothing else', async () => {
    const {stdout} = await agent.check(SecretsShow, {
      name: 'json',
      argv: ['hf', '--json'],
      received: shown({name: 'hf'}),
    })
    expect(JSON.parse(stdout)).toEqual(HF)
  })
})
