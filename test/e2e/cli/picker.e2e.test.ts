// The picker in a real terminal: tmux runs `hush secrets pick` and `hush submit IMAGE --pick` against
// a real agent, keyring and docker engine; keys are sent with send-keys and every screen is read with
// capture-pane. No value ever shows. Also: no terminal -> the error naming --secret; and no other
// command loads Ink or React.
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {
  dockerAvailable,
  inspect,
  inspectEnv,
  removeEnvFileDir,
  removeStoreContainers,
  SLEEPER_SHELL,
  storeId,
  TEST_IMAGE,
} from '../../support/docker.js'
import {BIN, isAlive, makeHome, ROOT, type TestHome, waitFor} from '../../support/helpers.js'
import {expectNoValue as expectNoValueIn, type Terminal, Tmux} from '../../support/terminal.js'

const docker = await dockerAvailable('test/e2e/cli/picker.e2e.test.ts')

// Sentinel values: none of them may appear on any screen.
const VALUES = {
  hf: {HF_TOKEN: 'SENTINEL_hf_7c1e'},
  openai: {OPENAI_API_KEY: 'SENTINEL_openai_92ab', SHARED: 'SENTINEL_shared_o_55'},
  wandb: {WANDB_API_KEY: 'SENTINEL_wandb_0d3f', SHARED: 'SENTINEL_shared_w_66'},
}
const SENTINELS = Object.values(VALUES).flatMap((values) => Object.values(values))

let t: TestHome
let tmux: Tmux

/** A private tmux server per test, its socket in the test's store (removed with it). */
const openTerminal = (command: string, rows?: number) => tmux.open(command, rows)

/** The shell command tmux runs: `hush ARGS` with this store, its stdout kept in a file, then its exit code. */
function hushCommand(out: string, args: string[]): string {
  const env = Object.entries({...t.env, FORCE_COLOR: '0'})
    .map(([key, value]) => `${key}='${value}'`)
    .join(' ')
  return `env ${env} '${process.execPath}' '${BIN}' ${args.join(' ')} > '${out}'; echo EXIT=$?; sleep 60`
}

/** `hush secrets pick ARGS` in the terminal. */
function pickCommand(out: string, args: string[] = []): string {
  return hushCommand(out, ['secrets', 'pick', ...args])
}

const expectNoValue = (screens: string[]) => expectNoValueIn(screens, SENTINELS)

beforeEach(() => {
  t = makeHome()
  tmux = new Tmux(join(t.home, 'tmux.sock'))
})

afterEach(async () => {
  await tmux.kill()
  await t.cleanup()
})

/** The three sentinel-valued bundles, each with a description. */
async function createBundles(): Promise<void> {
  for (const [name, values] of Object.entries(VALUES)) {
    const pairs = Object.entries(values).map(([key, value]) => `${key}=${value}`)
    const created = await t.hush(['secrets', 'new', name, ...pairs, '--description', `${name} test bundle`])
    expect(created.exitCode, created.stderr).toBe(0)
  }
}

/** Selects wandb, then hf (the list is sorted by name: hf, openai, wandb). */
async function pickWandbThenHf(term: Terminal): Promise<void> {
  await term.until(/^> \[ \] hf/m)
  await term.keys('Down', 'Down')
  await term.until(/^> \[ \] wandb/m)
  await term.keys('Space')
  await term.until(/^> \[1\] wandb/m)
  await term.keys('Up', 'Up')
  await term.until(/^> \[ \] hf/m)
  await term.keys('Space')
  await term.until('Selected, in order: 1 wandb · 2 hf')
}

describe('picker in a real terminal', () => {
  beforeEach(createBundles)

  it('picks two secrets in order, reviews the keys with the --env override, prints their --secret flags', async () => {
    const out = join(t.home, 'picked.txt')
    const term = await openTerminal(pickCommand(out, ['--env', 'SHARED=plain']))
    await term.until('Pick the secrets to inject')
    expect(await term.screen()).toMatch(/^> \[ \] hf +HF_TOKEN +\d+s ago +hf test bundle$/m)

    await pickWandbThenHf(term)

    // Typing filters; backspace edits the filter; the selection stays.
    await term.keys('o', 'p', 'e')
    await term.until('1 of 3')
    await term.keys('BSpace', 'BSpace', 'BSpace')
    await term.until('3 of 3')

    await term.keys('Enter')
    const review = await term.until('Review before you print')
    expect(review).toContain('Bundles in order (a later one wins on a shared key): 1 wandb · 2 hf')
    expect(review).toContain('Same as: --secret wandb --secret hf')
    expect(review).toMatch(/^ {2}WANDB_API_KEY +wandb *$/m)
    expect(review).toMatch(/^ {2}SHARED +wandb +not injected: --env SHARED wins$/m)
    expect(review).toMatch(/^ {2}HF_TOKEN +hf *$/m)
    expect(review).toContain('2 keys injected, 1 overridden by --env (not injected)')

    await term.keys('Enter')
    const done = await term.until('EXIT=')
    expect(done).toContain('Picked, in order: wandb, hf')
    expect(done).toContain('EXIT=0')
    expect(readFileSync(out, 'utf8')).toBe('--secret wandb --secret hf\n')
    expectNoValue(term.screens)
    expectNoValue([await term.history()])
  })

  it('gives the picked names as JSON with --json, the picker drawn on stderr', async () => {
    const out = join(t.home, 'picked.json')
    const term = await openTerminal(pickCommand(out, ['--json']))
    await term.until(/^> \[ \] hf/m)
    await term.keys('Down', 'Enter')
    await term.until('Same as: --secret openai')
    await term.keys('Enter')
    await term.until('EXIT=0')
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
      secrets: ['openai'],
      files: [],
      flags: ['--secret', 'openai'],
    })
    expectNoValue(term.screens)
  })

  it('cancels on Escape: exit 1, nothing printed on stdout', async () => {
    const out = join(t.home, 'picked.txt')
    const term = await openTerminal(pickCommand(out))
    await term.until(/^> \[ \] hf/m)
    await term.keys('Space', 'Down', 'Space')
    await term.until('Selected, in order: 1 hf · 2 openai')
    await term.keys('Escape')
    const done = await term.until('EXIT=')
    expect(done).toContain('hush: Cancelled: nothing picked.')
    expect(done).toContain('EXIT=1')
    expect(done).not.toContain('Pick the secrets to inject')
    expect(readFileSync(out, 'utf8')).toBe('')
    expectNoValue(term.screens)
  })

  it('cancels on Ctrl-C from the review', async () => {
    const out = join(t.home, 'picked.txt')
    const term = await openTerminal(pickCommand(out))
    await term.until(/^> \[ \] hf/m)
    await term.keys('Enter')
    await term.until('Review before you print')
    await term.keys('C-c')
    const done = await term.until('EXIT=')
    expect(done).toContain('EXIT=1')
    expect(readFileSync(out, 'utf8')).toBe('')
  })

  it('redraws to the new size when the terminal is resized', async () => {
    for (let i = 0; i < 4; i++) expect((await t.hush(['secrets', 'new', `bulk${i}`, `K${i}=v`])).exitCode).toBe(0)
    const out = join(t.home, 'picked.txt')
    // 24 rows: 15 for the list, all 7 secrets fit.
    const term = await openTerminal(pickCommand(out), 24)
    await term.until('7 of 7')
    const rowsShown = (screen: string) => screen.split('\n').filter((line) => /^[> ] \[[ \d]+\] /.test(line)).length
    expect(rowsShown(await term.screen())).toBe(7)
    // 12 rows: 3 for the list, the rest scrolls.
    await tmux.run('resize-window', '-t', term.name, '-x', '100', '-y', '12')
    await waitFor(async () => rowsShown(await term.screen()) === 3, 20_000)
    const small = await term.screen()
    expect(small).toContain('↓ 4 more')
    expect(small).toContain('Pick the secrets to inject')
    await term.keys('End')
    await term.until(/^> \[ \] wandb/m)
    expect(await term.screen()).toContain('↑ 4 more')
    await tmux.run('resize-window', '-t', term.name, '-x', '120', '-y', '30')
    await waitFor(async () => rowsShown(await term.screen()) === 7, 20_000)
    await term.keys('Escape')
    await term.until('EXIT=1')
    expectNoValue(term.screens)
  })

  it('says how to create a secret on an empty store, and exits on enter', async () => {
    for (const name of Object.keys(VALUES)) expect((await t.hush(['secrets', 'delete', name])).exitCode).toBe(0)
    const out = join(t.home, 'picked.txt')
    const term = await openTerminal(pickCommand(out))
    await term.until('No secrets yet')
    expect(await term.screen()).toContain('hush secrets new NAME --from-stdin KEY')
    await term.keys('Enter')
    const done = await term.until('EXIT=1')
    expect(done).toContain('hush: No secrets to pick: create one first with hush secrets new NAME --from-stdin KEY.')
  })
})

describe.skipIf(!docker)('submit --pick in a real terminal', () => {
  beforeEach(createBundles)

  afterEach(async () => {
    await removeStoreContainers(await storeId(t))
    removeEnvFileDir(t.env)
  })

  /** `hush submit hush-test/busybox --pick ARGS --json` with the SLEEPER, in the terminal. */
  const submitPick = (out: string, args: string[] = []) =>
    hushCommand(out, ['submit', TEST_IMAGE, '--pick', ...args, '--json', SLEEPER_SHELL])

  it('launches a container with exactly the two secrets picked, in order, the --env override winning', async () => {
    const out = join(t.home, 'submitted.json')
    const term = await openTerminal(submitPick(out, ['--env', 'SHARED=plain']))
    await pickWandbThenHf(term)
    expect(await term.screen()).toContain('--env on the command line wins for: SHARED')

    await term.keys('Enter')
    const review = await term.until('Review before you launch')
    expect(review).toContain('Same as: --secret wandb --secret hf')
    expect(review).toMatch(/^ {2}SHARED +wandb +not injected: --env SHARED wins$/m)
    expect(review).toMatch(/^ {2}WANDB_API_KEY +wandb *$/m)
    expect(review).toMatch(/^ {2}HF_TOKEN +hf *$/m)
    expect(review).toContain('2 keys injected, 1 overridden by --env (not injected)')
    expect(review).toContain('enter launch')

    await term.keys('Enter')
    const done = await term.until('EXIT=', 120_000)
    expect(done).toContain('EXIT=0')
    expectNoValue(term.screens)
    expectNoValue([await term.history()])

    const submitted = JSON.parse(readFileSync(out, 'utf8')) as SubmitOutput
    expect(submitted).toMatchObject({state: 'running', image: TEST_IMAGE, warnings: []})
    expect((await inspect(submitted.containerId))?.State.Running).toBe(true)
    const env = await inspectEnv(submitted.containerId)
    const {PATH: _path, ...injected} = env
    expect(injected).toEqual({
      WANDB_API_KEY: VALUES.wandb.WANDB_API_KEY,
      HF_TOKEN: VALUES.hf.HF_TOKEN,
      SHARED: 'plain',
    })

    // The same deployment as `--secret wandb --secret hf --env SHARED=plain`.
    const [deployment, ...others] = await t.json<DeploymentInfo[]>(['status'])
    expect(others).toEqual([])
    expect(deployment).toMatchObject({id: submitted.id, state: 'running', env: {SHARED: 'plain'}})
    expect(deployment.secrets.map((secret) => secret.name)).toEqual(['wandb', 'hf'])

    const terminated = await t.hush(['terminate', submitted.id])
    expect(terminated.exitCode, terminated.stderr).toBe(0)
    expect((await t.json<DeploymentInfo>(['status', submitted.id])).state).toBe('terminated')
  })

  it('mounts a secret switched to files with tab: at /run/secrets/KEY, not in the env', async () => {
    const out = join(t.home, 'submitted.json')
    const term = await openTerminal(submitPick(out))
    await term.until(/^> \[ \] hf/m)
    await term.keys('Tab')
    await term.until('Selected, in order: 1 hf (file)')
    await term.keys('Enter')
    const review = await term.until('Review before you launch')
    expect(review).toContain('Same as: --secret-file hf')
    expect(review).toContain('Mounted as read-only files (/run/secrets/KEY), not env: hf')
    await term.keys('Enter')
    expect(await term.until('EXIT=', 120_000)).toContain('EXIT=0')
    expectNoValue(term.screens)

    const submitted = JSON.parse(readFileSync(out, 'utf8')) as SubmitOutput
    expect(Object.keys(await inspectEnv(submitted.containerId))).not.toContain('HF_TOKEN')
    const {execa} = await import('execa')
    const read = await execa('docker', ['exec', submitted.containerId, 'cat', '/run/secrets/HF_TOKEN'], {
      stdin: 'ignore',
    })
    expect(read.stdout).toBe(VALUES.hf.HF_TOKEN)
    const [deployment] = await t.json<DeploymentInfo[]>(['status'])
    expect(deployment.secrets).toEqual([
      {name: 'hf', keys: ['/run/secrets/HF_TOKEN'], env: [], files: ['/run/secrets/HF_TOKEN'], version: 1},
    ])
  })

  it('reconnects after the pick when the agent went idle while the picker was open', async () => {
    // An agent with a short idle timeout, started by the picker itself.
    expect((await t.hush(['daemon', 'stop'])).exitCode).toBe(0)
    await waitFor(() => t.agentPid() === undefined, 20_000)
    t.env.HUSH_IDLE_TIMEOUT = '3'
    const out = join(t.home, 'submitted.json')
    const term = await openTerminal(submitPick(out))
    await term.until(/^> \[ \] hf/m)
    const first = t.agentPid()
    expect(first).toBeDefined()
    await waitFor(() => !isAlive(first as number), 60_000)

    await term.keys('Space', 'Enter')
    await term.until('Review before you launch')
    await term.keys('Enter')
    const done = await term.until('EXIT=', 120_000)
    expect(done).toContain('EXIT=0')
    const submitted = JSON.parse(readFileSync(out, 'utf8')) as SubmitOutput
    expect(submitted.state).toBe('running')
    expect(await inspectEnv(submitted.containerId)).toMatchObject({HF_TOKEN: VALUES.hf.HF_TOKEN})
    expect(t.agentPid()).not.toBe(first)
    expectNoValue(term.screens)
  })

  it('launches nothing on Escape and exits non-zero', async () => {
    const out = join(t.home, 'submitted.json')
    const term = await openTerminal(submitPick(out))
    await pickWandbThenHf(term)
    await term.keys('Enter')
    await term.until('Review before you launch')
    await term.keys('Escape')
    const done = await term.until('EXIT=')
    expect(done).toContain('EXIT=1')
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
      error: {code: 'cancelled', message: 'Cancelled: nothing launched.'},
    })
    expect(await t.json(['status'])).toEqual([])
    expectNoValue(term.screens)
  })
})

describe('picker without a terminal', () => {
  it('fails at once with one line naming --secret (exit 2), and as a JSON error', async () => {
    const plain = await t.hush(['secrets', 'pick'])
    expect(plain.exitCode).toBe(2)
    expect(plain.stdout).toBe('')
    expect(plain.stderr.trim().split('\n')).toHaveLength(1)
    expect(plain.stderr).toContain('--secret NAME')
    expect(plain.stderr).toMatch(/^hush: The picker \(--pick\) needs a terminal: /)

    const json = await t.hush(['secrets', 'pick', '--json'])
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout)).toEqual({
      error: {code: 'bad_request', message: expect.stringContaining('--secret')},
    })
  })

  it('fails `submit --pick` at once, before starting any agent: exit 2, the error naming --secret', async () => {
    const plain = await t.hush(['submit', 'hush-test/busybox', '--pick', '--env', 'A=b', '--', 'true'])
    expect(plain.exitCode).toBe(2)
    expect(plain.stdout).toBe('')
    expect(plain.stderr).toBe(
      'hush: The picker (--pick) needs a terminal: name the secrets with --secret NAME instead (repeat it for more).',
    )
    const json = await t.hush(['submit', 'hush-test/busybox', '--pick', '--json'])
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout)).toEqual({
      error: {code: 'bad_request', message: expect.stringContaining('--secret NAME')},
    })
    expect(t.agentPid()).toBeUndefined()

    // --pick and --secret do not mix.
    const both = await t.hush(['submit', 'hush-test/busybox', '--pick', '--secret', 'hf'])
    expect(both.exitCode).toBe(2)
    expect(both.stderr).toBe('hush: --secret=hf cannot also be provided when using --pick (see --help).')
  })
})

describe('start-up cost', () => {
  // The modules of the picker (Ink, React, src/ui) among those a run loaded. Plain build
  // (HUSH_UNBUNDLED=1): by file path. Bundle (dist/bundle, what bin/run.js runs): by the source
  // paths esbuild notes above each module in a chunk file. env-plan.ts and render.ts (the tables
  // every command prints; no React) are allowed.
  const PICKER = /node_modules\/(ink|react)\/|(^|\/)(dist|src)\/ui\/(?!(env-plan|render)\.[jt]s$)/
  const pickerModules = (urls: string[]): string[] =>
    urls.flatMap((url) => {
      if (!url.includes('/dist/bundle/')) return PICKER.test(url) ? [url] : []
      const chunk = readFileSync(new URL(url), 'utf8')
      return [...chunk.matchAll(/^\/\/ (\S+)$/gm)].map((match) => match[1]).filter((path) => PICKER.test(path))
    })

  for (const build of ['bundled', 'unbundled'] as const) {
    it(`loads Ink and React only when a picker opens (${build})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hush-trace-'))
      try {
        let traces = 0
        const trace = async (args: string[]) => {
          const file = join(dir, `trace-${++traces}.txt`)
          const env = {...t.env, HUSH_TRACE_IMPORTS: file, ...(build === 'unbundled' ? {HUSH_UNBUNDLED: '1'} : {})}
          const result = await execa(
            process.execPath,
            ['--import', join(ROOT, 'test/fixtures/trace-imports.mjs'), ...args],
            {env, stdin: 'ignore', reject: false, cwd: ROOT},
          )
          return {result, urls: [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))]}
        }
        /** The command's own module was loaded: dist/commands/ID.js, or the bundle's chunk named after it. */
        const loaded = (urls: string[], command: string) =>
          urls.some((url) =>
            build === 'unbundled'
              ? url.endsWith(`/dist/commands/${command}.js`)
              : new RegExp(`/dist/bundle/${command.split('/').pop()}-[A-Z0-9]+\\.js$`).test(url),
          )

        const list = await trace([BIN, 'secrets', 'list'])
        expect(list.result.exitCode, list.result.stderr).toBe(0)
        expect(loaded(list.urls, 'secrets/list')).toBe(true)
        expect(pickerModules(list.urls)).toEqual([])

        // The pick command itself loads no Ink until a picker really opens.
        const pick = await trace([BIN, 'secrets', 'pick'])
        expect(pick.result.exitCode).toBe(2)
        expect(loaded(pick.urls, 'secrets/pick')).toBe(true)
        expect(pickerModules(pick.urls)).toEqual([])

        // Neither does `submit --pick` that cannot open one.
        const submit = await trace([BIN, 'submit', 'hush-test/busybox', '--pick'])
        expect(submit.result.exitCode).toBe(2)
        expect(loaded(submit.urls, 'submit')).toBe(true)
        expect(pickerModules(submit.urls)).toEqual([])

        // The tracer does see Ink and React when they load.
        const runPicker =
          build === 'unbundled'
            ? './dist/ui/run-picker.js'
            : `./dist/bundle/${readdirSync(join(ROOT, 'dist', 'bundle')).find((file) => file.startsWith('run-picker-'))}`
        const ink = await trace(['--input-type=module', '-e', `await import('${runPicker}')`])
        expect(ink.result.exitCode, ink.result.stderr).toBe(0)
        const seen = pickerModules(ink.urls)
        expect(seen.some((path) => path.includes('node_modules/ink/'))).toBe(true)
        expect(seen.some((path) => path.includes('node_modules/react/'))).toBe(true)
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    })
  }
})
