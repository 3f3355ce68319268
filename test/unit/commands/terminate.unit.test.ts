// `hush terminate ID [--grace N]` in-process: the grace period sent, what was removed (container
// or Swarm service), the spec's JSON shape, and bad input.
import {describe, expect, it} from 'vitest'
import Terminate from '../../../src/commands/terminate.js'
import {deploymentDetail} from '../../support/deployment-fixtures.js'
import {inProcessAgent} from '../../support/in-process.js'

const agent = inProcessAgent(({record}) => ({
  terminate: (input) => {
    record('terminate', input)
    return input.id === 'd-2'
      ? deploymentDetail({
          id: 'd-2',
          target: 'swarm',
          containerId: null,
          serviceId: 'svc123456789abcdef',
          state: 'terminated',
        })
      : deploymentDetail({state: 'terminated'})
  },
}))
const {received, run} = agent

describe('terminate', () => {
  it.each([
    {argv: ['d-1'], grace: 10, stdout: 'Terminated d-1: container c0ffee000000 removed.\n'},
    {argv: ['d-1', '--grace', '0'], grace: 0, stdout: 'Terminated d-1: container c0ffee000000 removed.\n'},
    {
      argv: ['d-2', '--grace', '3600'],
      grace: 3600,
      stdout: 'Terminated d-2: service svc123456789 and its unused Swarm secrets removed.\n',
    },
  ])('$argv', async ({argv, grace, stdout}) => {
    expect(await run(Terminate, argv)).toMatchObject({stdout, stderr: '', exitCode: 0})
    expect(received).toEqual([{route: 'terminate', input: {id: argv[0], grace}}])
  })

  it('--json is the spec’s shape', async () => {
    const result = await run(Terminate, ['d-1', '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({id: 'd-1', state: 'terminated', target: 'local'})
    expect(JSON.parse(result.stdout)).not.toHaveProperty('command')
  })

  it.each([
    {argv: ['d-1', '--grace', '-1'], stderr: 'hush: Parsing --grace (see --help).\n'},
    {argv: ['d-1', '--grace', '3601'], stderr: 'hush: Parsing --grace (see --help).\n'},
    {argv: ['d-1', '--grace', 'soon'], stderr: 'hush: Parsing --grace (see --help).\n'},
    {argv: [], stderr: 'hush: Missing 1 required arg: (see --help).\n'},
  ])('$argv: one line, exit 2, nothing sent', async ({argv, stderr}) => {
    expect(await run(Terminate, argv)).toMatchObject({stdout: '', stderr, exitCode: 2})
    expect(received).toEqual([])
  })
})
