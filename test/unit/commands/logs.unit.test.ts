// `hush logs ID [--follow]` in-process: the container's stdout on stdout, its stderr on stderr, as
// the agent sends them (redacted there), and the errors a user sees.
import {describe, expect, it} from 'vitest'
import {HushError} from '../../../src/api/errors.js'
import Logs from '../../../src/commands/logs.js'
import {logFrames} from '../../support/deployment-fixtures.js'
import {inProcessAgent} from '../../support/in-process.js'

const agent = inProcessAgent(({record}) => ({
  logs: (input) => {
    record('logs', input)
    if (input.id !== 'd-1')
      throw new HushError('deployment_not_found', `No deployment ${input.id}: see \`hush status\`.`)
    return logFrames(
      [
        {stream: 'stdout', text: 'line 1 ***\n'},
        {stream: 'stderr', text: 'oops\n'},
        {stream: 'stdout', text: 'line 2\n'},
      ],
      input.follow ? {state: 'exited', exitCode: 0} : undefined,
    )
  },
}))
const {received, run} = agent

describe('logs', () => {
  it.each([
    {argv: ['d-1'], follow: false},
    {argv: ['d-1', '--follow'], follow: true},
    {argv: ['-f', 'd-1'], follow: true},
  ])('$argv prints stdout and stderr apart (follow: $follow)', async ({argv, follow}) => {
    expect(await run(Logs, argv)).toMatchObject({stdout: 'line 1 ***\nline 2\n', stderr: 'oops\n', exitCode: 0})
    // A query flag left false is not sent.
    expect(received).toEqual([{route: 'logs', input: follow ? {id: 'd-1', follow} : {id: 'd-1'}}])
  })

  it.each([
    {argv: ['d-9'], stderr: 'hush: No deployment d-9: see `hush status`.\n'},
    {argv: [], stderr: 'hush: Missing 1 required arg: (see --help).\n'},
    {argv: ['d-1', '--json'], stderr: 'hush: Nonexistent flag: --json (see --help).\n'},
  ])('$argv: one line, exit 2', async ({argv, stderr}) => {
    const result = await run(Logs, argv)
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(stderr)
  })
})
