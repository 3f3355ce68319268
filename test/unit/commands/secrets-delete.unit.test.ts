// `hush secrets delete` in-process: a secret nobody uses goes at once; one in use is refused,
// or with --force deleted once confirmed (typed name on a terminal, --yes without one).
import {describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import SecretsDelete from '../../../src/commands/secrets/delete.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const SECRET: SecretInfo = {
  name: 'free',
  app: null,
  keys: ['A'],
  description: '',
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  usedBy: [],
  deletedAt: '2026-01-03T00:00:00.000Z',
}
const IN_USE = 'Secret used is used by live deployments d-1, d-2: terminate them first, or pass --force.'

const agent = inProcessAgent(({record}) => ({
  deleteSecret: (input) => {
    record('deleteSecret', input)
    if (input.name === 'gone') throw new HushError('secret_not_found', 'No secret gone.')
    if (input.name === 'used' && !input.force) {
      throw new HushError('secret_in_use', IN_USE, {deployments: ['d-1', 'd-2']})
    }
    return {
      secret: {...SECRET, name: input.name, app: input.app ?? null},
      forcedDeployments: input.force ? ['d-1', 'd-2'] : [],
    }
  },
}))

const tried = (input: object) => ({route: 'deleteSecret', input})
const FORCED =
  'Deleted secret used (version 3). The name is free again.\nStill running with its old values: d-1, d-2. Their next resubmit will fail until the secret exists again.\n'

describe('hush secrets delete', () => {
  const cases: CommandCase[] = [
    {
      name: 'a secret nobody uses goes at once',
      argv: ['free'],
      stdout: 'Deleted secret free (version 3). The name is free again.\n',
      received: [tried({name: 'free'})],
    },
    {
      name: '--app deletes the one scoped to the app',
      argv: ['free', '--app', 'api'],
      stdout: 'Deleted secret free for app api (version 3). The name is free again.\n',
      received: [tried({name: 'free', app: 'api'})],
    },
    {
      name: 'a secret in use is refused: the agent’s one line, exit 1',
      argv: ['used'],
      stdout: '',
      stderr: `hush: ${IN_USE}\n`,
      exitCode: 1,
      received: [tried({name: 'used'})],
    },
    {
      name: '--force --yes deletes it and names the deployments that keep its values',
      argv: ['used', '--force', '--yes'],
      stdout: FORCED,
      received: [tried({name: 'used'}), tried({name: 'used', force: true})],
    },
    {
      name: '--force with no terminal asks for --yes, naming the deployments, after the refusal',
      argv: ['used', '--force'],
      stdout: '',
      stderr:
        'hush: This would delete secret used, used by live deployments d-1, d-2: with no terminal to confirm on, add --yes.\n',
      exitCode: 2,
      received: [tried({name: 'used'})],
    },
    {
      name: '--force on a terminal deletes once the name is typed',
      argv: ['used', '--force'],
      run: {stdin: 'used\n', isTTY: {stdin: true, stderr: true}},
      stdout: FORCED,
      stderr: 'This will delete secret used, used by live deployments d-1, d-2. Type used to go ahead: ',
      received: [tried({name: 'used'}), tried({name: 'used', force: true})],
    },
    {
      name: '--force on a terminal cancels on another answer, nothing deleted',
      argv: ['used', '--force', '--app', 'api'],
      run: {stdin: 'yes\n', isTTY: {stdin: true, stderr: true}},
      stdout: '',
      stderr:
        /^This will delete secret used of app api, .*: hush: Not confirmed \(expected used\): nothing changed\.\n$/,
      exitCode: 1,
      received: [tried({name: 'used', app: 'api'})],
    },
    {
      name: 'an unknown secret: exit 1',
      argv: ['gone'],
      stdout: '',
      stderr: 'hush: No secret gone.\n',
      exitCode: 1,
      received: [tried({name: 'gone'})],
    },
    {name: 'no name', argv: [], stdout: '', stderr: /^hush: Missing 1 required arg:/, exitCode: 2},
    {
      name: 'two names',
      argv: ['a', 'b'],
      stdout: '',
      stderr: 'hush: Unexpected argument: b (see --help).\n',
      exitCode: 2,
    },
  ]
  it.each(cases)('$name', async (row) => {
    await agent.check(SecretsDelete, row)
  })

  it('--json prints the result, or the error shape with its details', async () => {
    const done = await agent.check(SecretsDelete, {
      name: 'json',
      argv: ['free', '--json'],
      received: [tried({name: 'free'})],
    })
    expect(JSON.parse(done.stdout)).toEqual({secret: {...SECRET, name: 'free'}, forcedDeployments: []})
    agent.received.length = 0
    const refused = await agent.check(SecretsDelete, {
      name: 'json error',
      argv: ['used', '--json'],
      exitCode: 1,
      received: [tried({name: 'used'})],
    })
    expect(JSON.parse(refused.stdout)).toEqual({
      error: {code: 'secret_in_use', message: IN_USE, deployments: ['d-1', 'd-2']},
    })
  })
})
