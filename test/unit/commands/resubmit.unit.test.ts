// `hush resubmit ID` in-process: the new revision of a container, or a Swarm service's rolling
// update with its tasks, the JSON answer, and the errors a user sees.
import {describe, expect, it} from 'vitest'
import type {ResubmitOutput} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import Resubmit from '../../../src/commands/resubmit.js'
import {inProcessAgent} from '../../support/in-process.js'

const LOCAL: ResubmitOutput = {
  id: 'd-1',
  containerId: 'c0ffee000000aaaabbbbcccc',
  state: 'running',
  image: 'img',
  warnings: [],
  revision: 2,
  previousContainerId: 'old000000000',
}
const SWARM: ResubmitOutput = {
  ...LOCAL,
  id: 'd-2',
  containerId: '',
  serviceId: 'svc123456789abcdef',
  tasks: [
    {id: 'task00000000aaaa', node: 'n1', state: 'running', revision: 2, error: null},
    {id: 'task11111111bbbb', node: '', state: 'pending', revision: null, error: null},
  ],
}

const agent = inProcessAgent(({record}) => ({
  resubmit: (input) => {
    record('resubmit', input)
    if (input.id === 'd-1') return LOCAL
    if (input.id === 'd-2') return SWARM
    throw new HushError('secret_not_found', `Secret gone is gone: ${input.id} keeps running unchanged.`)
  },
}))
const {received, run} = agent

describe('resubmit', () => {
  it.each([
    {id: 'd-1', stdout: 'Resubmitted d-1: revision 2, container c0ffee000000 (running).\n'},
    {
      id: 'd-2',
      stdout:
        'Resubmitted d-2: revision 2 rolled out to service svc123456789.\n  task task00000000 on n1: running, revision 2\n  task task11111111 on ?: pending, revision ?\n',
    },
  ])('$id: says what replaced it', async ({id, stdout}) => {
    expect(await run(Resubmit, [id])).toMatchObject({stdout, stderr: '', exitCode: 0})
    expect(received).toEqual([{route: 'resubmit', input: {id}}])
  })

  it('--json prints the agent’s answer', async () => {
    const result = await run(Resubmit, ['d-2', '--json'])
    expect(JSON.parse(result.stdout)).toEqual(SWARM)
  })

  it.each([
    {argv: ['d-9'], stderr: 'hush: Secret gone is gone: d-9 keeps running unchanged.\n', exitCode: 1},
    {argv: [], stderr: /^hush: Missing 1 required arg:/, exitCode: 2},
    {argv: ['d-1', 'd-2'], stderr: 'hush: Unexpected argument: d-2 (see --help).\n', exitCode: 2},
  ])('$argv: one line, exit $exitCode', async ({argv, stderr, exitCode}) => {
    const result = await run(Resubmit, argv)
    expect(result.exitCode).toBe(exitCode)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(stderr)
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
  })
})
