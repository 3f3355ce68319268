// The single executable (dist/hush) end to end: built from this tree, run with no node on PATH, the
// agent started as the executable itself, native addons loaded from a private directory; a submit to
// docker, its status, redacted logs and terminate; the picker in a real terminal (tmux).
import {mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {resolvePaths} from '../../../src/config/paths.js'
import {
  dockerAvailable,
  inspectEnv,
  removeStoreContainers,
  SLEEPER_SHELL,
  storeId,
  TEST_IMAGE,
} from '../../support/docker.js'
import {isAlive, ROOT, stopProcess, waitFor} from '../../support/helpers.js'
import {expectNoValue, Tmux} from '../../support/terminal.js'

const BINARY = join(ROOT, 'dist', 'hush')
const docker = await dockerAvailable('test/e2e/cli/binary.e2e.test.ts')

/** The absolute path of a tool on this process's PATH. */
async function which(tool: string): Promise<string> {
  const found = await execa('sh', ['-c', 'command -v "$1"', 'sh', tool], {reject: false})
  if (found.exitCode !== 0 || !found.stdout.startsWith('/')) throw new Error(`${tool} is not installed`)
  return found.stdout.trim()
}

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
  let tmux: Tmux | undefined

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
    // PATH holds one directory with only the tools hush runs (docker) and the terminal (tmux): no node.
    const toolsPath = temp('hush-bin-path-')
    for (const tool of ['docker', 'tmux']) symlinkSync(await which(tool), join(toolsPath, tool))
    env = {
      PATH: toolsPath,
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
    await tmux?.kill()
    if (home) await removeStoreContainers(await storeId({home}))
    await stopProcess(agentPid())
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

  it('has did-you-mean and completion built in (the oclif plugins are bundled)', async () => {
    const typo = await hush(['secrets', 'lst'])
    expect(typo.exitCode).toBe(2)
    expect(typo.stderr).toBe(
      'hush: "secrets lst" is not a hush command. Did you mean "hush secrets list"? (see hush --help).',
    )

    const setup = await hush(['autocomplete', 'bash'])
    expect(setup.exitCode, setup.stderr).toBe(0)
    const script = readFileSync(join(cache, 'hush', 'autocomplete', 'functions', 'bash', 'hush.bash'), 'utf8')
    expect(script).toContain('secrets:rotate')
    expect(script).toContain('complete -F _hush_names_complete hush')
    expect((await hush(['complete', 'secrets'])).stdout).toBe('demo')
  })

  it('keeps its native addons in a private directory', () => {
    const dir = join(cache, 'hush', 'native')
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).mode & 0o077).toBe(0)
    const maps = readFileSync(`/proc/${agentPid()}/maps`, 'utf8')
    expect(maps).toMatch(/hush\/native\/keyring-[0-9a-f]{16}\.node/)
  })

  describe.skipIf(!docker)('with docker', () => {
    let submitted: SubmitOutput

    it('submits to docker with the secret injected, shows it in status, redacts it in logs, terminates it', async () => {
      const result = await hush([
        'submit',
        TEST_IMAGE,
        '--secret',
        'demo',
        '--json',
        '--',
        'sh',
        '-c',
        'trap "exit 0" TERM; echo $TOKEN; sleep 300 & wait',
      ])
      expect(result.stderr).toBe('')
      expect(result.exitCode).toBe(0)
      submitted = JSON.parse(result.stdout) as SubmitOutput
      expect(submitted).toMatchObject({state: 'running', image: TEST_IMAGE})
      expect(await inspectEnv(submitted.containerId)).toMatchObject({TOKEN: 's3cret'})

      const status = await hush(['status', '--json'])
      expect(status.exitCode).toBe(0)
      expect(JSON.parse(status.stdout)).toEqual([
        expect.objectContaining({
          id: submitted.id,
          state: 'running',
          secrets: [expect.objectContaining({name: 'demo', keys: ['TOKEN']})],
        }),
      ])

      let logs = await hush(['logs', submitted.id])
      await waitFor(async () => {
        logs = await hush(['logs', submitted.id])
        return logs.stdout.includes('***')
      }, 30_000)
      expect(logs.exitCode).toBe(0)
      expect(logs.stdout).toBe('***')
      expect(logs.stdout + logs.stderr).not.toContain('s3cret')

      const terminated = await hush(['terminate', submitted.id])
      expect(terminated.exitCode, terminated.stderr).toBe(0)
      const after = await hush(['status', submitted.id, '--json'])
      expect(JSON.parse(after.stdout)).toMatchObject({id: submitted.id, state: 'terminated'})
    })

    it('runs the picker in a real terminal: pick one secret, confirm, the deployment is launched', async () => {
      // The tmux server and its panes get the same stripped environment: no node on their PATH either.
      tmux = new Tmux(join(home, 'tmux.sock'), env, await which('tmux'))
      const out = join(home, 'picked.json')
      // Only shell builtins around the executable: `read` keeps the pane open for the last screen.
      const term = await tmux.open(
        `'${BINARY}' submit ${TEST_IMAGE} --pick --json ${SLEEPER_SHELL} > '${out}'; echo EXIT=$?; read _`,
      )
      await term.until(/^> \[ \] demo +TOKEN +.*smoke$/m, 60_000)
      await term.keys('Space')
      await term.until(/^> \[1\] demo/m)
      await term.keys('Enter')
      const review = await term.until('Review before you launch')
      expect(review).toMatch(/^ {2}TOKEN +demo *$/m)
      await term.keys('Enter')
      const done = await term.until('EXIT=', 120_000)
      expect(done).toContain('EXIT=0')
      expectNoValue([...term.screens, await term.history()], ['s3cret'])

      const picked = JSON.parse(readFileSync(out, 'utf8')) as SubmitOutput
      expect(picked.state).toBe('running')
      expect(picked.id).not.toBe(submitted.id)
      expect(await inspectEnv(picked.containerId)).toMatchObject({TOKEN: 's3cret'})
      const status = await hush(['status', picked.id, '--json'])
      const deployment = JSON.parse(status.stdout) as DeploymentInfo
      expect(deployment).toMatchObject({state: 'running', secrets: [expect.objectContaining({name: 'demo'})]})
      expect((await hush(['terminate', picked.id])).exitCode).toBe(0)
    })
  })

  it('stops its agent', async () => {
    const stopped = await hush(['daemon', 'stop'])
    expect(stopped.exitCode).toBe(0)
    const pid = agentPid()
    if (pid) await waitFor(() => !isAlive(pid), 10_000)
  })
})
