// `hush doctor` in-process, with a fake docker runner for this shell's docker: each finding as a
// line (and its fix), the verdict, exit 0 when hush can do its job and 1 when not, --json.
import {chmodSync} from 'node:fs'
import {beforeAll, describe, expect, it} from 'vitest'
import type {EngineStatus, KeyringStatus} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import Doctor from '../../../src/commands/doctor.js'
import {contextAnswer, type FakeDockerAnswers, fakeDocker} from '../../support/fake-docker.js'
import {inProcessAgent} from '../../support/in-process.js'

const HOST = 'unix:///var/run/docker.sock'
const OS_KEYRING: KeyringStatus = {
  keyring: 'os',
  sealed: false,
  osKeyring: {reachable: true, reason: null},
  unlockCache: {state: 'none', expiresAt: null, problem: null},
}
const ENGINE: EngineStatus = {context: 'default', host: HOST, tls: false, server: '27.5.1', problem: null}

let keyring = OS_KEYRING
let engine = ENGINE
let storeFails = false

const agent = inProcessAgent(({record}) => ({
  keyringStatus: () => keyring,
  storeStatus: () => {
    if (storeFails) throw new HushError('internal', 'The store cannot be opened: file is not a database.')
    return {storeId: 's-1', schemaVersion: 7, secrets: 1, deployments: 2}
  },
  engineStatus: (input) => {
    record('engineStatus', input)
    return engine
  },
}))
const {run} = agent

// The socket is the agent's own, mode 0600 (doctor checks it).
beforeAll(() => chmodSync(agent.socket, 0o600))

/** This shell's docker: version 27.5.1 of client and engine, on the agent's engine. */
const HEALTHY: FakeDockerAnswers = {
  run: (args) => (args[0] === 'version' ? {exitCode: 0, stdout: '27.5.1 27.5.1\n'} : contextAnswer(HOST)),
}

/** A finding that fails: what is wrong (agent answers or this shell's docker), its line and fix. */
interface Failing {
  what: string
  docker?: FakeDockerAnswers
  keyring?: KeyringStatus
  engine?: EngineStatus
  storeFails?: boolean
  line: string
  fix: string
}

describe('doctor', () => {
  it('all well: one ok line per check, the verdict, exit 0', async () => {
    const docker = fakeDocker(HEALTHY)
    const result = await run(Doctor, [], {deps: {docker}})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines).toEqual([
      `ok   node: Node ${process.versions.node}`,
      `ok   agent: running (pid ${process.pid}, version test)`,
      `ok   socket: ${agent.socket} (mode 0600, yours)`,
      'ok   master key: OS keyring (service hush, account test)',
      `ok   store: ${agent.dir}: opens, schema version 7, 1 secret, 2 deployments`,
      'ok   docker client: docker 27.5.1',
      `ok   docker engine: Docker Engine 27.5.1 at ${HOST} (docker context default), the agent's`,
      expect.stringMatching(/^ok {3}tmpfs: env-files go to \//),
      'hush can work here.',
    ])
    // The agent was asked to reach its engine (once); this shell’s docker, its versions and engine.
    expect(agent.received).toEqual([{route: 'engineStatus', input: {reach: true}}])
    expect(docker.calls.map((call) => call.args[0]).sort()).toEqual(['context', 'version'])
  })

  it.each<Failing>([
    {
      what: 'no docker client',
      docker: {run: () => ({missing: true})},
      line: 'FAIL docker client: docker not found',
      fix: 'install the docker client (apt-get install docker.io), or set HUSH_DOCKER to its path',
    },
    {
      what: 'this shell on another engine',
      docker: {
        run: (args: string[]) =>
          args[0] === 'version' ? (HEALTHY.run?.(args) ?? {}) : contextAnswer('tcp://elsewhere:2376'),
      },
      line: `FAIL shell engine: this shell's docker engine is tcp://elsewhere:2376, the agent's is ${HOST}: submits from this shell are refused`,
      fix: "run `hush daemon stop` (the next command starts the agent with this shell's DOCKER_HOST and context), or pass --context NAME",
    },
    {
      what: 'the agent’s engine down',
      engine: {...ENGINE, server: null, problem: 'Cannot connect to the Docker daemon'},
      line: `FAIL docker engine: Cannot connect to the Docker daemon; the agent's engine: ${HOST} (docker context default)`,
      fix: 'start the Docker engine (`systemctl start docker`) or point DOCKER_HOST / the docker context at one you may use, then `hush daemon stop` so the agent starts again with it',
    },
    {
      what: 'a sealed passphrase store',
      keyring: {
        ...OS_KEYRING,
        keyring: 'passphrase',
        sealed: true,
        osKeyring: null,
        unlockCache: {state: 'present', expiresAt: null, problem: null},
      },
      line: 'FAIL master key: passphrase mode, sealed',
      fix: 'run `hush unseal` (add `--ttl 12h` to limit how long it stays open)',
    },
    {
      what: 'an OS keyring that does not answer',
      keyring: {...OS_KEYRING, osKeyring: {reachable: false, reason: 'no D-Bus'}},
      line: 'FAIL master key: OS keyring (not reachable: no D-Bus; service hush, account test)',
      fix: 'start a Secret Service (e.g. `eval "$(gnome-keyring-daemon --unlock)"` in a D-Bus session), or run `hush init --keyring passphrase`',
    },
    {
      what: 'a store that does not open',
      storeFails: true,
      line: 'FAIL store: The store cannot be opened: file is not a database.',
      fix: 'restore the store from a backup',
    },
  ])('$what: the FAIL line with its fix, exit 1', async (row) => {
    keyring = row.keyring ?? OS_KEYRING
    engine = row.engine ?? ENGINE
    storeFails = row.storeFails ?? false
    try {
      const result = await run(Doctor, [], {deps: {docker: fakeDocker(row.docker ?? HEALTHY)}})
      expect(result.exitCode).toBe(1)
      expect(result.stdout).toContain(`${row.line}\n       fix: ${row.fix}\n`)
      expect(result.stdout.endsWith('hush cannot do its job here yet: see the fixes above.\n')).toBe(true)
    } finally {
      keyring = OS_KEYRING
      engine = ENGINE
      storeFails = false
    }
  })

  it('an unlock cache that cannot work is a warning with its fix, not a failure', async () => {
    keyring = {
      ...OS_KEYRING,
      keyring: 'passphrase',
      osKeyring: null,
      unlockCache: {state: 'unavailable', expiresAt: null, problem: 'keyctl is not installed'},
    }
    try {
      const result = await run(Doctor, [], {deps: {docker: fakeDocker(HEALTHY)}})
      expect(result.exitCode).toBe(0)
      expect(result.stdout).toMatch(
        /\nwarn unlock cache: .*\n {7}fix: apt-get install keyutils, then `hush unseal` again\n/,
      )
    } finally {
      keyring = OS_KEYRING
    }
  })

  it('--json: the report, the exit code kept', async () => {
    const result = await run(Doctor, ['--json'], {deps: {docker: fakeDocker({run: () => ({missing: true})})}})
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.ok).toBe(false)
    expect(report.checks).toContainEqual({
      check: 'docker client',
      level: 'fail',
      detail: 'docker not found',
      fix: 'install the docker client (apt-get install docker.io), or set HUSH_DOCKER to its path',
    })
  })

  it('an argument is a usage error: one line, exit 2', async () => {
    const result = await run(Doctor, ['now'], {deps: {docker: fakeDocker(HEALTHY)}})
    expect(result).toMatchObject({stdout: '', stderr: 'hush: Unexpected argument: now (see --help).\n', exitCode: 2})
  })
})
