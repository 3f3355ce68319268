// `hush daemon status` in-process: a running agent's facts (master key, engine), or where it would
// be when none runs (never starting one), and the errors a user sees.
import {describe, expect, it} from 'vitest'
import {HushError} from '../../../../src/api/errors.js'
import DaemonStatus from '../../../../src/commands/daemon/status.js'
import {resolvePaths} from '../../../../src/config/paths.js'
import {inProcessAgent} from '../../../support/in-process.js'
import {withoutAgent} from '../../../support/no-agent.js'

const agent = inProcessAgent(({record}) => ({
  keyringStatus: () => ({
    keyring: 'passphrase',
    sealed: true,
    osKeyring: null,
    unlockCache: {state: 'absent', expiresAt: null, problem: null},
  }),
  engineStatus: (input) => {
    record('engineStatus', input)
    return {context: 'default', host: 'unix:///var/run/docker.sock', tls: false, server: null, problem: null}
  },
}))

describe('daemon status', () => {
  it('a running agent: pid, socket, store, master key, engine', async () => {
    const result = await agent.run(DaemonStatus, [])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(5)
    expect(lines[0]).toBe(`hush agent: running (pid ${process.pid}, version test, since 2026-01-01T00:00:00.000Z)`)
    expect(lines[1]).toBe(`socket:     ${agent.socket}`)
    expect(lines[2]).toBe(`store:      ${agent.dir}`)
    expect(lines[3]).toMatch(/^master key: passphrase, sealed \(run `hush unseal`\); /)
    expect(lines[4]).toBe('engine:     unix:///var/run/docker.sock (docker context default)')
    // The engine is read, not reached (no `docker version`).
    expect(agent.received).toEqual([{route: 'engineStatus', input: {reach: false}}])
  })

  it('--json: running, the hello, the keyring and engine', async () => {
    const result = await agent.run(DaemonStatus, ['--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({
      running: true,
      pid: process.pid,
      keyringStatus: {keyring: 'passphrase', sealed: true},
      engine: {host: 'unix:///var/run/docker.sock'},
    })
  })

  it.each([
    {argv: [], json: false},
    {argv: ['--json'], json: true},
  ])('no agent: where it would be, exit 0 ($argv)', async ({argv, json}) => {
    const result = await agent.run(withoutAgent(DaemonStatus), argv)
    expect(result.exitCode).toBe(0)
    expect(result.stderr).toBe('')
    if (json)
      expect(JSON.parse(result.stdout)).toEqual({
        running: false,
        socket: resolvePaths({HUSH_HOME: agent.dir}).socket,
        home: agent.dir,
      })
    else
      expect(result.stdout).toBe(
        `hush agent: not running\nsocket:     ${resolvePaths({HUSH_HOME: agent.dir}).socket}\nstore:      ${agent.dir}\n`,
      )
  })

  it.each([
    {
      argv: [],
      error: new HushError('internal', 'The hush agent answered with nonsense.'),
      stderr: 'hush: The hush agent answered with nonsense.\n',
      exitCode: 1,
    },
    {argv: ['x'], stderr: 'hush: Unexpected argument: x (see --help).\n', exitCode: 2},
  ])('$stderr', async ({argv, error, stderr, exitCode}) => {
    const result = await agent.run(error ? withoutAgent(DaemonStatus, error) : DaemonStatus, argv)
    expect(result).toMatchObject({stdout: '', stderr, exitCode})
  })
})
