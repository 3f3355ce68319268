// `hush daemon run` in-process, lightly: where its idle timeout comes from (flag, HUSH_IDLE_TIMEOUT,
// preference) and the refusals before the agent starts. Running the agent is e2e (test/e2e/agent/).
import {describe, expect, it} from 'vitest'
import type {CommandContext} from '../../../../src/cli/context.js'
import {idleTimeoutSeconds} from '../../../../src/cli/daemon.js'
import DaemonRun from '../../../../src/commands/daemon/run.js'
import {DEFAULT_IDLE_TIMEOUT_SECONDS} from '../../../../src/config/preferences.js'
import {inProcessAgent} from '../../../support/in-process.js'

const agent = inProcessAgent(() => ({}))

/** The part of a command's context the idle timeout reads: its env and home. */
function context(env: NodeJS.ProcessEnv): CommandContext {
  return {io: {env}, paths: {home: agent.dir}} as unknown as CommandContext
}

describe('daemon run', () => {
  it.each([
    {flag: 30, env: {HUSH_IDLE_TIMEOUT: '5'}, seconds: 30},
    {flag: 0, env: {}, seconds: 0},
    {flag: undefined, env: {HUSH_IDLE_TIMEOUT: '5'}, seconds: 5},
    {flag: undefined, env: {HUSH_IDLE_TIMEOUT: '0'}, seconds: 0},
    // Nothing set: the preference, whose default is DEFAULT_IDLE_TIMEOUT_SECONDS.
    {flag: undefined, env: {}, seconds: DEFAULT_IDLE_TIMEOUT_SECONDS},
  ])('--idle-timeout $flag with $env: $seconds s', async ({flag, env, seconds}) => {
    expect(await idleTimeoutSeconds(context(env), flag)).toBe(seconds)
  })

  it.each([
    {
      argv: [],
      env: {HUSH_IDLE_TIMEOUT: 'soon'},
      stderr: 'hush: HUSH_IDLE_TIMEOUT must be a number of seconds (0: never).\n',
    },
    {
      argv: [],
      env: {HUSH_IDLE_TIMEOUT: '-1'},
      stderr: 'hush: HUSH_IDLE_TIMEOUT must be a number of seconds (0: never).\n',
    },
    {argv: ['--idle-timeout', '-5'], env: {}, stderr: 'hush: Parsing --idle-timeout (see --help).\n'},
    {argv: ['--json'], env: {}, stderr: 'hush: Nonexistent flag: --json (see --help).\n'},
  ])('$argv $env: one line, exit 2, no agent started', async ({argv, env, stderr}) => {
    expect(await agent.run(DaemonRun, argv, {env})).toMatchObject({stdout: '', stderr, exitCode: 2})
  })
})
