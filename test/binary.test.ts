// The single executable (dist/hush) end to end: built from this tree, run with no node on PATH, the
// agent started as the executable itself, native addons loaded from a private directory.
import {mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {resolvePaths} from '../src/config/paths.js'
import {isAlive, ROOT, waitFor} from './helpers.js'

const BINARY = join(ROOT, 'dist', 'hush')

describe('dist/hush, the single executable', () => {
  const dirs: string[] = []
  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    dirs.push(dir)
    return dir
  }
  let home: string
  let cache: string
  let env: Record<string, string>

  const hush = (args: string[], input?: string) =>
    execa(BINARY, args, {
      env,
      extendEnv: false,
      input,
      stdin: input === undefined ? 'ignore' : undefined,
      reject: false,
    })

  const agentPid = (): number | undefined => {
    try {
      return Number(readFileSync(resolvePaths({HUSH_HOME: home}).pidFile, 'utf8').trim()) || undefined
    } catch {
      return undefined
    }
  }

  beforeAll(async () => {
    // Built here, from the tree the tests run against (about 10 s; npm test has already run the build).
    await execa(process.execPath, [join(ROOT, 'scripts', 'build-binary.mjs')], {cwd: ROOT})
    home = temp('hush-bin-home-')
    cache = temp('hush-bin-cache-')
    // PATH holds one empty directory: no node, nothing else either.
    const emptyPath = temp('hush-bin-path-')
    env = {
      PATH: emptyPath,
      HOME: process.env.HOME ?? home,
      HUSH_HOME: home,
      HUSH_IDLE_TIMEOUT: '120',
      XDG_CACHE_HOME: cache,
    }
    for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'GNOME_KEYRING_CONTROL', 'XDG_RUNTIME_DIR']) {
      const value = process.env[name]
      if (value) env[name] = value
    }
  }, 300_000)

  afterAll(async () => {
    const pid = agentPid()
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // already gone
      }
      await waitFor(() => !isAlive(pid), 10_000)
    }
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  })

  it('runs with no node on PATH', async () => {
    const which = await execa('sh', ['-c', 'command -v node'], {env: {PATH: env.PATH}, extendEnv: false, reject: false})
    expect(which.exitCode).not.toBe(0)
    const version = await hush(['--version'])
    expect(version.exitCode).toBe(0)
    expect(version.stdout).toMatch(/^hush\/\d+\.\d+\.\d+ /)
    expect(version.stderr).toBe('')
  })

  it('stores a secret and lists it, with the agent started as the executable itself', async () => {
    const created = await hush(['secrets', 'new', 'demo', '--from-stdin', 'TOKEN', '--description', 'smoke'], 's3cret')
    expect(created.stderr).toBe('')
    expect(created.exitCode).toBe(0)
    expect(created.stdout).toContain('Created secret demo: version 1, keys TOKEN.')

    const listed = await hush(['secrets', 'list'])
    expect(listed.exitCode).toBe(0)
    expect(listed.stdout).toMatch(/^demo\s+shared\s+TOKEN\s+1\s/m)
    expect(listed.stdout).not.toContain('s3cret')

    const json = await hush(['secrets', 'list', '--json'])
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({name: 'demo', keys: ['TOKEN'], version: 1})])

    const pid = agentPid()
    expect(pid).toBeDefined()
    expect(readlinkSync(`/proc/${pid}/exe`)).toBe(BINARY)
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1, 3)).toEqual(['daemon', 'run'])
  })

  it('keeps its native addons in a private directory', () => {
    const dir = join(cache, 'hush', 'native')
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).mode & 0o077).toBe(0)
    const maps = readFileSync(`/proc/${agentPid()}/maps`, 'utf8')
    expect(maps).toMatch(/hush\/native\/better_sqlite3-[0-9a-f]{16}\.node/)
    expect(maps).toMatch(/hush\/native\/keytar-[0-9a-f]{16}\.node/)
  })

  // LEAD: the submit-to-docker and picker (tmux) smoke steps go here, with `hush(...)` above; the
  // docker CLI must then be on PATH: symlink `command -v docker` (and tmux) into env.PATH's directory.

  it('stops its agent', async () => {
    const stopped = await hush(['daemon', 'stop'])
    expect(stopped.exitCode).toBe(0)
    const pid = agentPid()
    if (pid) await waitFor(() => !isAlive(pid), 10_000)
  })
})
