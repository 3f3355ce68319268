// The agent's life as a user sees it: start/status/stop output, a stale socket after kill -9, the
// version handshake replacing an old agent, the idle exit, and the socket path rules.
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {Hello} from '../../../src/api/contract.js'
import {ensureRuntimeDir, resolvePaths} from '../../../src/config/paths.js'
import {VERSION} from '../../../src/version.js'
import {agentProcesses, hello} from '../../support/agent-tools.js'
import {isAlive, makeHome, type TestHome, waitFor} from '../../support/helpers.js'

const homes: TestHome[] = []
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
  for (const home of homes.splice(0)) await home.cleanup()
})

function home(extraEnv: Record<string, string> = {}): TestHome {
  const t = makeHome(extraEnv)
  homes.push(t)
  return t
}

describe('daemon start / status / stop', () => {
  it('prints what it did, with --json shapes', async () => {
    const t = home()
    const down = await t.hush(['daemon', 'status'])
    expect(down.exitCode).toBe(0)
    expect(down.stdout).toBe(`hush agent: not running\nsocket:     ${t.socket}\nstore:      ${t.home}`)
    expect(await t.json(['daemon', 'status'])).toEqual({running: false, socket: t.socket, home: t.home})
    expect(await t.json(['daemon', 'stop'])).toEqual({stopped: false})
    expect((await t.hush(['daemon', 'stop'])).stdout).toBe('hush agent is not running.')

    // Without HUSH_IDLE_TIMEOUT the agent reads the preferences file, creating it private.
    const started = await t.hush(['daemon', 'start'], {env: {HUSH_IDLE_TIMEOUT: undefined}})
    expect(started.exitCode, started.stderr).toBe(0)
    expect(statSync(join(t.home, 'preferences.json')).mode & 0o777).toBe(0o600)
    const pid = t.agentPid()!
    expect(started.stdout).toBe(`hush agent ${VERSION} running (pid ${pid}) on ${t.socket}`)
    // Starting again reuses the running agent.
    const again = await t.json<Hello>(['daemon', 'start'])
    expect(again).toMatchObject({name: 'hush', version: VERSION, pid, socket: t.socket, home: t.home})

    const status = await t.json<{running: true} & Hello>(['daemon', 'status'])
    expect(status).toMatchObject({running: true, name: 'hush', version: VERSION, pid, socket: t.socket, keyring: 'os'})
    expect(Object.keys(status).sort()).toEqual(
      [
        'running',
        'name',
        'version',
        'protocol',
        'pid',
        'publicKey',
        'home',
        'socket',
        'keyring',
        'keyringAccount',
        'sealed',
        'unlockCache',
        'startedAt',
        'dockerEnvironment',
        'keyringStatus',
        'engine',
      ].sort(),
    )
    const human = await t.hush(['daemon', 'status'])
    expect(human.stdout.split('\n')[0]).toBe(
      `hush agent: running (pid ${pid}, version ${VERSION}, since ${status.startedAt})`,
    )
    expect(human.stdout).toContain(`socket:     ${t.socket}`)

    const stopped = await t.hush(['daemon', 'stop'])
    expect(stopped.stdout).toBe(`hush agent stopped (pid ${pid}).`)
    await waitFor(() => !isAlive(pid), 10_000)
    expect(existsSync(t.socket)).toBe(false)
    expect(agentProcesses(t.home)).toEqual([])
  })
})

describe('recovery', () => {
  it('cleans up the stale socket of a killed agent; the next command works', async () => {
    const t = home()
    expect((await t.hush(['secrets', 'new', 'kept', 'K=v'])).exitCode).toBe(0)
    const pid = t.agentPid()!
    process.kill(pid, 'SIGKILL')
    await waitFor(() => !isAlive(pid), 10_000)
    expect(existsSync(t.socket)).toBe(true)

    const next = await t.hush(['secrets', 'new', 'after', 'K=v'])
    expect(next.exitCode, next.stderr).toBe(0)
    const fresh = t.agentPid()!
    expect(fresh).not.toBe(pid)
    expect((await hello(t.socket)).pid).toBe(fresh)
    expect((await t.json<Array<{name: string}>>(['secrets', 'list'])).map((secret) => secret.name)).toEqual([
      'after',
      'kept',
    ])
    expect(agentProcesses(t.home)).toEqual([fresh])
  })

  it('replaces an agent of another version (version handshake)', async () => {
    const t = home()
    const paths = resolvePaths({...process.env, ...t.env})
    ensureRuntimeDir(paths)
    const requests: string[] = []
    const old = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`)
      res.setHeader('content-type', 'application/json')
      if (req.method === 'GET' && req.url === '/v1/hello') {
        res.end(
          JSON.stringify({
            name: 'hush',
            version: '0.0.0-old',
            protocol: 1,
            pid: process.pid,
            publicKey: Buffer.alloc(32).toString('base64'),
            home: t.home,
            socket: t.socket,
            keyring: 'os',
            keyringAccount: null,
            sealed: false,
            unlockCache: {state: 'none', expiresAt: null, problem: null},
            startedAt: new Date().toISOString(),
          }),
        )
      } else if (req.method === 'POST' && req.url === '/v1/shutdown') {
        res.end(JSON.stringify({stopping: true}), () => {
          old.close()
          old.closeAllConnections()
        })
      } else {
        res.statusCode = 500
        res.end(JSON.stringify({error: {code: 'internal', message: 'the old agent knows no such route'}}))
      }
    })
    await new Promise<void>((resolve) => old.listen(t.socket, resolve))
    cleanups.push(async () => {
      if (old.listening) await new Promise<void>((resolve) => old.close(() => resolve()))
    })

    const result = await t.hush(['secrets', 'new', 'upgraded', 'K=v'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(requests).toEqual(['GET /v1/hello', 'POST /v1/shutdown'])
    expect(old.listening).toBe(false)
    const now = await hello(t.socket)
    expect(now.version).toBe(VERSION)
    expect(now.pid).not.toBe(process.pid)
    expect(agentProcesses(t.home)).toEqual([now.pid])
  })

  it('says at once why an agent that cannot start stopped, and stores nothing', async () => {
    const t = home()
    // Not a SQLite file: the agent exits while opening its store.
    const garbage = 'not a database, '.repeat(512)
    writeFileSync(join(t.home, 'store.db'), garbage, {mode: 0o600})
    const result = await t.hush(['secrets', 'new', 'never', 'K=v'])
    expect(result.exitCode).toBe(1)
    // "stopped before it was ready": the command saw the agent exit, rather than waiting out the 20 s.
    expect(result.stderr).toBe(
      `hush: The hush agent stopped before it was ready (Unexpected error: file is not a database): see ${join(t.home, 'agent.log')}.`,
    )
    expect(agentProcesses(t.home)).toEqual([])
    expect(readFileSync(join(t.home, 'store.db'), 'utf8')).toBe(garbage)
  })

  it('exits by itself after the idle timeout', async () => {
    const t = home({HUSH_IDLE_TIMEOUT: '1'})
    expect((await t.hush(['daemon', 'start'])).exitCode).toBe(0)
    const pid = t.agentPid()!
    expect(isAlive(pid)).toBe(true)
    await waitFor(() => !isAlive(pid), 20_000)
    await waitFor(() => !existsSync(t.socket), 5_000)
    expect(t.agentPid()).toBeUndefined()
    expect((await t.hush(['daemon', 'status'])).stdout).toMatch(/^hush agent: not running/)
  })
})

describe('socket path', () => {
  it('stays under 108 bytes in a 0700 directory with a 200-character HUSH_HOME', async () => {
    const base = home()
    // hush creates the state directory itself (0700).
    const long = join(base.home, 'h'.repeat(200))
    const t = home({HUSH_HOME: long})
    expect(Buffer.byteLength(join(long, 'agent.sock'))).toBeGreaterThan(108)

    const created = await t.hush(['secrets', 'new', 'deep', 'K=v'])
    expect(created.exitCode, created.stderr).toBe(0)
    const status = await t.json<{running: true} & Hello>(['daemon', 'status'])
    expect(status.home).toBe(long)
    expect(Buffer.byteLength(status.socket)).toBeLessThan(108)
    const dir = statSync(join(status.socket, '..'))
    expect(dir.mode & 0o777).toBe(0o700)
    expect(dir.uid).toBe(process.getuid?.())
    expect(statSync(join(status.socket, '..', '..')).mode & 0o777).toBe(0o700)
    expect(statSync(status.socket).mode & 0o777).toBe(0o600)
    expect(statSync(long).mode & 0o777).toBe(0o700)
    expect((await t.hush(['daemon', 'stop'])).exitCode).toBe(0)
  })
})
