// `hush submit` in-process: what a user sees (stdout, stderr, exit code) and what the agent was sent,
// for a detached job, --wait, a session (-i/-t, docker faked), Swarm, and every refusal before a launch.
import {afterEach, describe, expect, it} from 'vitest'
import type {DeploymentDetail, SubmitOutput} from '../../../src/api/contract.js'
import {SWARM_ENV_NOTICE} from '../../../src/cli/swarm-wait.js'
import Submit from '../../../src/commands/submit.js'
import {dockerEnvironmentTag} from '../../../src/config/docker.js'
import {deploymentDetail, logFrames} from '../../support/deployment-fixtures.js'
import {contextAnswer, fakeDocker} from '../../support/fake-docker.js'
import {inProcessAgent} from '../../support/in-process.js'

const AGENT_HOST = 'unix:///var/run/docker.sock'

/** What the agent's getDeployment answers, in turn (the last one repeats). */
let statuses: DeploymentDetail[] = []
let warnings: string[] = []

const agent = inProcessAgent(({record}) => ({
  submit: (input) => {
    record('submit', input)
    const swarm = input.target === 'swarm'
    return {
      id: 'd-1',
      containerId: swarm ? '' : 'c0ffee000000aaaabbbbcccc',
      ...(swarm ? {serviceId: 'svc123456789abcdef'} : {}),
      state: swarm ? 'running' : 'running',
      image: input.image,
      warnings,
    } satisfies SubmitOutput
  },
  getDeployment: (input) => {
    record('getDeployment', input)
    return statuses.length > 1 ? (statuses.shift() as DeploymentDetail) : statuses[0]
  },
  logs: (input) => {
    record('logs', input)
    return logFrames(
      [
        {stream: 'stdout', text: 'token has *** bytes\n'},
        {stream: 'stderr', text: 'a warning\n'},
      ],
      {state: 'exited', exitCode: 3},
    )
  },
  engineStatus: () => ({context: 'default', host: AGENT_HOST, tls: false, server: null, problem: null}),
}))
const {received, run} = agent

afterEach(() => {
  statuses = []
  warnings = []
})

/** The one submit the agent got. */
function submitted(): Record<string, unknown> {
  const sent = received.filter((entry) => entry.route === 'submit')
  expect(sent).toHaveLength(1)
  return sent[0].input as Record<string, unknown>
}

describe('submit: a detached job', () => {
  it('prints the id on stdout and where to look on stderr; sends the command line as given', async () => {
    const docker = fakeDocker({run: () => contextAnswer(AGENT_HOST)})
    const result = await run(
      Submit,
      ['hush-test/busybox', '--secret', 'hf', '--env', 'MODEL=gpt-4o', '--name', 'job1', '--', 'sh', '-c', 'echo hi'],
      {deps: {docker}},
    )
    expect(result).toMatchObject({
      stdout: 'd-1\n',
      stderr: 'Submitted d-1 (container c0ffee000000, running): see `hush status d-1`, `hush logs d-1`.\n',
      exitCode: 0,
    })
    expect(submitted()).toMatchObject({
      image: 'hush-test/busybox',
      secrets: ['hf'],
      env: ['MODEL=gpt-4o'],
      secretFiles: [],
      name: 'job1',
      command: ['sh', '-c', 'echo hi'],
    })
    expect(submitted()).not.toHaveProperty('context')
    expect(submitted()).not.toHaveProperty('warn')
    // This shell's engine was read (to compare it with the agent's): never run attached.
    expect(docker.calls).toEqual([{args: ['context', 'inspect', '--format', '{{json .}}'], attached: false}])
  })

  it('--json prints the agent’s answer, nothing on stderr', async () => {
    const result = await run(Submit, ['hush-test/busybox', '--json'], {deps: {docker: fakeDocker()}})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      id: 'd-1',
      containerId: 'c0ffee000000aaaabbbbcccc',
      state: 'running',
      image: 'hush-test/busybox',
      warnings: [],
    })
  })

  it('prints the agent’s warnings on stderr', async () => {
    warnings = ['--env API_TOKEN looks sensitive: store it with `hush secrets new`.']
    const result = await run(Submit, ['img', '--env', 'API_TOKEN=x'], {deps: {docker: fakeDocker()}})
    expect(result.stderr.split('\n')[0]).toBe(warnings[0])
    expect(result.exitCode).toBe(0)
  })

  it.each([
    {how: '--no-warn', argv: ['--no-warn'], env: {}, warn: false},
    {how: 'HUSH_NO_WARN=1', argv: [], env: {HUSH_NO_WARN: '1'}, warn: false},
    {how: 'HUSH_NO_WARN=YES', argv: [], env: {HUSH_NO_WARN: 'YES'}, warn: false},
    {how: 'HUSH_NO_WARN=true', argv: [], env: {HUSH_NO_WARN: 'true'}, warn: false},
    {how: 'HUSH_NO_WARN=0', argv: [], env: {HUSH_NO_WARN: '0'}, warn: true},
    {how: 'nothing', argv: [], env: {}, warn: true},
  ])('the sensitive-env warning, silenced by $how: $warn', async ({argv, env, warn}) => {
    const result = await run(Submit, ['img', '--env', 'API_TOKEN=x', ...argv], {env, deps: {docker: fakeDocker()}})
    expect(result.exitCode).toBe(0)
    if (warn) expect(submitted()).not.toHaveProperty('warn')
    else expect(submitted()).toMatchObject({warn: false})
  })

  it('--context goes to the agent and skips the engine check', async () => {
    const docker = fakeDocker()
    const result = await run(Submit, ['img', '--context', 'remote'], {deps: {docker}})
    expect(result.exitCode).toBe(0)
    expect(submitted()).toMatchObject({context: 'remote'})
    expect(docker.calls).toEqual([])
  })

  it('runs no docker to compare engines when the agent’s docker environment is this shell’s', async () => {
    const env = {DOCKER_HOST: 'tcp://elsewhere:2376'}
    const docker = fakeDocker({run: () => contextAnswer('tcp://elsewhere:2376')})
    const result = await run(Submit, ['img'], {
      env,
      hello: {dockerEnvironment: dockerEnvironmentTag(env)},
      deps: {docker},
    })
    expect(result.exitCode).toBe(0)
    expect(docker.calls).toEqual([])
    expect(submitted()).toMatchObject({image: 'img'})
  })

  it('refuses, launching nothing, when this shell’s engine is not the agent’s', async () => {
    const docker = fakeDocker({run: () => contextAnswer('tcp://elsewhere:2376')})
    const result = await run(Submit, ['img'], {deps: {docker}})
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      `hush: This shell's docker engine is tcp://elsewhere:2376, but the hush agent's (pid ${process.pid}) is ${AGENT_HOST}: run \`hush daemon stop\` (the next command starts the agent with this shell's DOCKER_HOST and context), or pass --context NAME. Nothing was launched.\n`,
    )
    expect(received.filter((entry) => entry.route === 'submit')).toEqual([])
  })
})

describe('submit --wait', () => {
  it('follows the output (stdout and stderr apart) and exits with the container’s code', async () => {
    const result = await run(Submit, ['img', '--wait'], {deps: {docker: fakeDocker()}})
    expect(result.stdout).toBe('token has *** bytes\n')
    expect(result.stderr).toBe('Submitted d-1; following its output (secret values shown as ***):\na warning\n')
    expect(result.exitCode).toBe(3)
    expect(received.filter((entry) => entry.route === 'logs')).toEqual([
      {route: 'logs', input: {id: 'd-1', follow: true}},
    ])
  })

  it('--json prints the final state only, with the container’s code', async () => {
    const result = await run(Submit, ['img', '--wait', '--json'], {deps: {docker: fakeDocker()}})
    expect(JSON.parse(result.stdout)).toMatchObject({id: 'd-1', state: 'exited'})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(3)
  })
})

describe('submit -i/-t: a session on this terminal', () => {
  it.each([
    {flags: ['-it'], attach: ['start', '--attach', '--interactive', 'c0ffee000000aaaabbbbcccc'], context: []},
    {flags: ['-t'], attach: ['start', '--attach', 'c0ffee000000aaaabbbbcccc'], context: []},
    {
      flags: ['-it', '--context', 'remote'],
      attach: ['--context', 'remote', 'start', '--attach', '--interactive', 'c0ffee000000aaaabbbbcccc'],
      context: ['--context', 'remote'],
    },
  ])('$flags attaches docker start to the terminal and exits with the container’s code', async ({flags, attach}) => {
    statuses = [deploymentDetail({state: 'exited', exitCode: 4})]
    const docker = fakeDocker({run: () => contextAnswer(AGENT_HOST), attach: () => 4})
    const result = await run(Submit, ['img', ...flags, '--', 'sh'], {
      isTTY: {stdin: true, stdout: true, stderr: true},
      deps: {docker},
    })
    expect(agent.log).toEqual([])
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      'Session d-1 (container c0ffee000000): it ends when you leave it.\nSession d-1 ended: exited (exit code 4).\n',
    )
    expect(result.exitCode).toBe(4)
    expect(docker.calls.filter((call) => call.attached)).toEqual([{args: attach, attached: true}])
  })

  it('a session docker never started says so, with docker’s exit code', async () => {
    statuses = [deploymentDetail({state: 'starting'})]
    const docker = fakeDocker({attach: () => 125})
    const result = await run(Submit, ['img', '-it'], {isTTY: {stdin: true, stdout: true}, deps: {docker}})
    expect(result.exitCode).toBe(125)
    expect(result.stderr.split('\n')[1]).toBe(
      'Session d-1 did not start (docker start exited 125): the agent removes its container soon; see `hush status d-1`.',
    )
  })

  it('-i alone needs no terminal', async () => {
    statuses = [deploymentDetail({state: 'exited', exitCode: 0})]
    const docker = fakeDocker()
    const result = await run(Submit, ['img', '-i'], {deps: {docker}})
    expect(result.exitCode).toBe(0)
    expect(docker.calls.filter((call) => call.attached)).toHaveLength(1)
  })
})

describe('submit --swarm', () => {
  it('prints the id, the env notice with --secret, and returns at once without --wait', async () => {
    const result = await run(Submit, ['img', '--swarm', '--secret', 'hf'], {deps: {docker: fakeDocker()}})
    expect(result).toMatchObject({
      stdout: 'd-1\n',
      stderr: `${SWARM_ENV_NOTICE}\nSubmitted d-1 (service svc123456789): see \`hush status d-1\`.\n`,
      exitCode: 0,
    })
    expect(submitted()).toMatchObject({target: 'swarm'})
    expect(submitted()).not.toHaveProperty('context')
  })

  it('--wait returns once every replica runs the current revision', async () => {
    const task = {id: 'task00000000aaaa', node: 'n1', revision: 1, error: null}
    statuses = [
      deploymentDetail({target: 'swarm', replicas: {running: 0, desired: 1}, tasks: [{...task, state: 'pending'}]}),
      deploymentDetail({target: 'swarm', replicas: {running: 1, desired: 1}, tasks: [{...task, state: 'running'}]}),
    ]
    const result = await run(Submit, ['img', '--swarm', '--wait'], {deps: {docker: fakeDocker()}})
    expect(result.stdout).toBe('d-1\n')
    expect(result.stderr).toBe('Submitted d-1; waiting for every replica to run it...\n')
    expect(result.exitCode).toBe(0)
    expect(received.filter((entry) => entry.route === 'getDeployment')).toHaveLength(2)
  }, 10_000)
})

describe('submit: refusals before anything is sent (one line, exit 2)', () => {
  it.each([
    {
      argv: ['img', 'echo', 'hi'],
      stderr:
        "hush: Unexpected arguments: echo, hi: put the container's command after --, as in `hush submit IMAGE -- CMD ARGS`.",
    },
    {argv: ['img', '--env', 'just-a-value'], stderr: 'hush: --env number 1 is not KEY=VALUE: write --env KEY=VALUE.'},
    {
      argv: ['img', '--env', 'A=1', '--env', '=x'],
      stderr: 'hush: --env number 2 is not KEY=VALUE: write --env KEY=VALUE.',
    },
    {
      argv: ['img', '-i', '--wait'],
      stderr: 'hush: --wait is for detached jobs: a session (-i/-t) already shows its output and ends with it.',
    },
    {
      argv: ['img', '-it'],
      stderr: 'hush: -t needs a terminal: run it from a terminal, or drop -t (-i alone attaches stdin and stdout).',
    },
    {
      argv: ['img', '--pick', '--secret', 'hf'],
      stderr: /^hush: --(pick|secret)=.* cannot also be provided when using --(pick|secret) \(see --help\)\.$/,
    },
    {argv: ['img', '--pick'], stderr: /^hush: .*terminal.*$/},
    {argv: ['img', '--swarm', '--context', 'x'], stderr: /^hush: --(swarm|context)=.* cannot also be provided/},
    {
      argv: ['img', '--env-file', 'f'],
      stderr: /^hush: --env-file is not taken by hush submit, it would carry values around hush: .*\.$/,
    },
    {argv: [], stderr: /^hush: Missing 1 required arg:/},
  ])('$argv', async ({argv, stderr}) => {
    const docker = fakeDocker()
    const result = await run(Submit, argv, {deps: {docker}})
    expect(result.stdout).toBe('')
    expect(result.exitCode).toBe(2)
    const lines = result.stderr.split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(stderr)
    expect(received).toEqual([])
    expect(docker.calls).toEqual([])
  })
})
