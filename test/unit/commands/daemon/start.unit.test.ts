// `hush daemon start` in-process: the agent found (or started), its version, pid and socket.
import {describe, expect, it} from 'vitest'
import DaemonStart from '../../../../src/commands/daemon/start.js'
import {inProcessAgent} from '../../../support/in-process.js'

const agent = inProcessAgent(() => ({}))

describe('daemon start', () => {
  it.each([
    {argv: [], stdout: () => `hush agent test running (pid ${process.pid}) on ${agent.socket}\n`, exitCode: 0},
    {argv: ['now'], stderr: 'hush: Unexpected argument: now (see --help).\n', exitCode: 2},
  ])('$argv', async ({argv, stdout, stderr, exitCode}) => {
    expect(await agent.run(DaemonStart, argv)).toMatchObject({stdout: stdout?.() ?? '', stderr: stderr ?? '', exitCode})
  })

  it('--json is the agent’s hello', async () => {
    const result = await agent.run(DaemonStart, ['--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: 'hush',
      version: 'test',
      pid: process.pid,
      socket: agent.socket,
    })
  })
})
