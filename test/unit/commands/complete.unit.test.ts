// `hush complete secrets|deployments` in-process: the names, each once, one per line; nothing at
// all (exit 0, empty stderr) when no agent's socket is there, the agent fails, or the input is bad.
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {HushError} from '../../../src/api/errors.js'
import Complete from '../../../src/commands/complete.js'
import {resolvePaths} from '../../../src/config/paths.js'
import {deploymentDetail} from '../../support/deployment-fixtures.js'
import {inProcessAgent} from '../../support/in-process.js'

let fail = false

const agent = inProcessAgent(({record}) => ({
  listSecrets: (input) => {
    record('listSecrets', input)
    if (fail) throw new HushError('internal', 'broken')
    return ['hf', 'db'].map((name) => ({
      name,
      app: null,
      keys: ['K'],
      description: '',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      usedBy: [],
    }))
  },
  listDeployments: (input) => {
    record('listDeployments', input)
    return [deploymentDetail(), deploymentDetail({id: 'd-2', name: null}), deploymentDetail({id: 'd-3', name: 'job1'})]
  },
}))

/** Where the command looks for a running agent's socket (the agent itself is the in-process one). */
function socketFile(): string {
  return resolvePaths({HUSH_HOME: agent.dir}).socket
}

function agentRunning(): void {
  mkdirSync(dirname(socketFile()), {recursive: true, mode: 0o700})
  writeFileSync(socketFile(), '')
}

afterEach(() => {
  fail = false
  rmSync(socketFile(), {force: true})
})

describe('complete', () => {
  it.each([
    {argv: ['secrets'], stdout: 'hf\ndb\n', route: 'listSecrets'},
    {argv: ['deployments'], stdout: 'd-1\njob1\nd-2\nd-3\n', route: 'listDeployments'},
  ])('$argv: the names, each once', async ({argv, stdout, route}) => {
    agentRunning()
    expect(await agent.run(Complete, argv)).toMatchObject({stdout, stderr: '', exitCode: 0})
    expect(agent.received.map((entry) => entry.route)).toEqual([route])
  })

  it.each([
    {what: 'no agent socket', argv: ['secrets'], running: false},
    {what: 'an agent that fails', argv: ['secrets'], running: true, fail: true},
    {what: 'an unknown kind', argv: ['users'], running: true},
    {what: 'no kind', argv: [], running: true},
    {what: 'a flag', argv: ['secrets', '--json'], running: true},
  ])('$what: nothing at all, exit 0', async ({argv, running, fail: failing}) => {
    if (running) agentRunning()
    fail = failing ?? false
    expect(await agent.run(Complete, argv)).toMatchObject({stdout: '', stderr: '', exitCode: 0})
  })
})
