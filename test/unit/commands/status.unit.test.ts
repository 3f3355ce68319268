// `hush status [ID]` in-process: the table, one deployment in full (local and Swarm), the spec's
// JSON shape, and the errors a user sees.
import {describe, expect, it} from 'vitest'
import type {DeploymentDetail} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import Status from '../../../src/commands/status.js'
import {deploymentDetail, STATUS_JSON_FIELDS} from '../../support/deployment-fixtures.js'
import {inProcessAgent} from '../../support/in-process.js'

const SWARM = deploymentDetail({
  id: 'd-2',
  name: null,
  target: 'swarm',
  containerId: null,
  serviceId: 'svc123456789abcdef',
  replicas: {running: 1, desired: 2},
  update: {state: 'updating', message: 'update in progress'},
  tasks: [
    {id: 'task00000000aaaa', node: 'n1', state: 'running', revision: 1, error: null},
    {id: 'task11111111bbbb', node: '', state: 'rejected', revision: 1, error: 'no suitable node'},
  ],
  secrets: [
    {name: 'db', app: 'job1', version: 2, keys: ['/run/secrets/PASSWORD'], env: [], files: ['/run/secrets/PASSWORD']},
  ],
  secretFiles: ['db'],
  refs: [],
  env: {},
  options: {replicas: 2},
})

let deployments: DeploymentDetail[] = []

const agent = inProcessAgent(({record}) => ({
  listDeployments: (input) => {
    record('listDeployments', input)
    return deployments
  },
  getDeployment: (input) => {
    record('getDeployment', input)
    const found = deployments.find((d) => d.id === input.id || d.name === input.id)
    if (!found) throw new HushError('deployment_not_found', `No deployment ${input.id}: see \`hush status\`.`)
    return found
  },
}))
const {run} = agent

describe('status', () => {
  it('says how to launch one when there is none', async () => {
    deployments = []
    expect(await run(Status, [])).toMatchObject({
      stdout: 'No deployments yet. Launch one with: hush submit IMAGE --secret NAME -- CMD\n',
      stderr: '',
      exitCode: 0,
    })
  })

  it('lists them in a table: state with exit code, app secrets marked, stale', async () => {
    deployments = [
      deploymentDetail({createdAt: new Date().toISOString()}),
      {...SWARM, state: 'exited', exitCode: 3, stale: true},
    ]
    const result = await run(Status, [])
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+NAME\s+IMAGE\s+STATE\s+SECRETS\s+STALE\s+AGE$/)
    expect(lines[1]).toMatch(/^d-1\s+job1\s+hush-test\/busybox\s+running\s+hf\s+-\s+\d+s ago$/)
    expect(lines[2]).toMatch(/^d-2\s+-\s+hush-test\/busybox\s+exited \(3\)\s+db \(app\)\s+yes\s+\d+d ago$/)
  })

  it('--json gives exactly the spec’s fields (Swarm ones for a service)', async () => {
    deployments = [deploymentDetail(), SWARM]
    const result = await run(Status, ['--json'])
    const [local, swarm] = JSON.parse(result.stdout)
    expect(Object.keys(local).sort()).toEqual(STATUS_JSON_FIELDS)
    expect(swarm).toMatchObject({serviceId: 'svc123456789abcdef', replicas: {running: 1, desired: 2}})
    expect(swarm).not.toHaveProperty('command')
  })

  it('ID shows one in full: its command quoted, engine, secrets, env', async () => {
    deployments = [deploymentDetail({options: {publish: ['8080:80']}, secretFiles: ['tls']})]
    const result = await run(Status, ['job1'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('id:         d-1\n')
    expect(result.stdout).toContain('command:    sh -c "echo hi"\n')
    expect(result.stdout).toContain('container:  c0ffee000000aaaabbbbcccc\n')
    expect(result.stdout).toContain('engine:     the agent’s own\n')
    expect(result.stdout).toContain('stale:      no\n')
    expect(result.stdout).toContain('--secret:   hf\n--secret-file: tls\noptions:    --publish 8080:80\n')
    expect(result.stdout).toContain('secrets:\n  hf  shared  version 3  keys HF_TOKEN\n')
    expect(result.stdout.endsWith('env (plain, templates as written):\n  MODEL=gpt-4o\n')).toBe(true)
  })

  it('ID of a Swarm service shows its replicas, update and tasks', async () => {
    deployments = [SWARM]
    const result = await run(Status, ['d-2'])
    expect(result.stdout).toContain('service:    svc123456789abcdef (Docker Swarm)\n')
    expect(result.stdout).toContain('replicas:   1/2 running\nupdate:     updating (update in progress)\ntasks:\n')
    expect(result.stdout).toContain('  task00000000  n1  running  revision 1\n')
    expect(result.stdout).toContain('  task11111111  (no node)  rejected  revision 1  no suitable node\n')
    expect(result.stdout).toContain('  db  app job1  version 2  files (read-only) /run/secrets/PASSWORD\n')
    expect(result.stdout).toContain('env (plain, templates as written):\n  (none)\n')
  })

  it('ID --json is the spec’s shape of that one', async () => {
    deployments = [deploymentDetail()]
    const result = await run(Status, ['d-1', '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({id: 'd-1', name: 'job1', state: 'running'})
    expect(JSON.parse(result.stdout)).not.toHaveProperty('refs')
  })

  it.each([
    {argv: ['d-9'], stderr: 'hush: No deployment d-9: see `hush status`.\n', exitCode: 2},
    {argv: ['d-1', 'd-2'], stderr: 'hush: Unexpected argument: d-2 (see --help).\n', exitCode: 2},
    {argv: ['--nope'], stderr: 'hush: Nonexistent flag: --nope (see --help).\n', exitCode: 2},
  ])('$argv: one line, exit $exitCode', async ({argv, stderr, exitCode}) => {
    deployments = [deploymentDetail()]
    const result = await run(Status, argv)
    expect(result).toMatchObject({stdout: '', stderr, exitCode})
  })
})
