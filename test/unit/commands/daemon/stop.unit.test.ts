// `hush daemon stop` in-process: when no agent runs (it starts none), and the errors a user sees.
// Stopping a running agent (shutdown, then waiting until it is gone) is test/e2e/agent/start-stop-recovery.e2e.test.ts.
import {describe, expect, it} from 'vitest'
import {HushError} from '../../../../src/api/errors.js'
import DaemonStop from '../../../../src/commands/daemon/stop.js'
import {inProcessAgent} from '../../../support/in-process.js'
import {withoutAgent} from '../../../support/no-agent.js'

const agent = inProcessAgent(() => ({}))

describe('daemon stop', () => {
  it.each([
    {argv: [], stdout: 'hush agent is not running.\n'},
    {argv: ['--json'], stdout: '{\n  "stopped": false\n}\n'},
  ])('no agent: says so, exit 0 ($argv)', async ({argv, stdout}) => {
    expect(await agent.run(withoutAgent(DaemonStop), argv)).toMatchObject({stdout, stderr: '', exitCode: 0})
    expect(agent.received).toEqual([])
  })

  it.each([
    {
      argv: [],
      error: new HushError('internal', 'The hush agent answered with nonsense.'),
      stderr: 'hush: The hush agent answered with nonsense.\n',
      exitCode: 1,
    },
    {argv: ['--now'], stderr: 'hush: Nonexistent flag: --now (see --help).\n', exitCode: 2},
  ])('$stderr', async ({argv, error, stderr, exitCode}) => {
    const result = await agent.run(withoutAgent(DaemonStop, error), argv)
    expect(result).toMatchObject({stdout: '', stderr, exitCode})
  })
})
