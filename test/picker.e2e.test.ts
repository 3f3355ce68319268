// The picker in a real terminal: tmux runs `hush secrets pick` against a real agent and keyring,
// keys are sent with send-keys and every screen is read with capture-pane. No value ever shows.
// Also: no terminal -> the error naming --secret; and no other command loads Ink or React.
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {BIN, makeHome, ROOT, type TestHome, waitFor} from './helpers.js'

// Sentinel values: none of them may appear on any screen.
const VALUES = {
  hf: {HF_TOKEN: 'SENTINEL_hf_7c1e'},
  openai: {OPENAI_API_KEY: 'SENTINEL_openai_92ab', SHARED: 'SENTINEL_shared_o_55'},
  wandb: {WANDB_API_KEY: 'SENTINEL_wandb_0d3f', SHARED: 'SENTINEL_shared_w_66'},
}
const SENTINELS = Object.values(VALUES).flatMap((values) => Object.values(values))

let t: TestHome
let sessions = 0

/**
 * A private tmux server per test, its socket in the test's store (removed with it): it inherits this
 * process's env (D-Bus, keyring), no one else's.
 */
const tmux = (...args: string[]) => execa('tmux', ['-S', join(t.home, 'tmux.sock'), ...args], {reject: false})

interface Terminal {
  /** Every screen read so far. */
  screens: string[]
  screen(): Promise<string>
  until(text: string | RegExp, timeoutMs?: number): Promise<string>
  keys(...keys: string[]): Promise<void>
}

async function openTerminal(command: string, rows = 40): Promise<Terminal> {
  const name = `pick${++sessions}`
  const started = await tmux('new-session', '-d', '-s', name, '-x', '120', '-y', String(rows), command)
  expect(started.exitCode, started.stderr).toBe(0)
  const screens: string[] = []
  const screen = async () => {
    const captured = await tmux('capture-pane', '-p', '-t', name)
    screens.push(captured.stdout)
    return captured.stdout
  }
  return {
    screens,
    screen,
    async until(text, timeoutMs = 30_000) {
      let last = ''
      try {
        await waitFor(async () => {
          last = await screen()
          return typeof text === 'string' ? last.includes(text) : text.test(last)
        }, timeoutMs)
      } catch {
        throw new Error(`screen never showed ${String(text)}; last screen:\n${last}`)
      }
      return last
    },
    async keys(...keys) {
      await tmux('send-keys', '-t', name, ...keys)
    },
  }
}

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

function expectNoValue(screens: string[]): void {
  expect(screens.length).toBeGreaterThan(0)
  for (const screen of screens) for (const value of SENTINELS) expect(screen).not.toContain(value)
}

beforeEach(() => {
  t = makeHome()
})

afterEach(async () => {
  await tmux('kill-server')
  await t.cleanup()
})

describe('picker in a real terminal', () => {
  beforeEach(async () => {
    for (const [name, values] of Object.entries(VALUES)) {
      const pairs = Object.entries(values).map(([key, value]) => `${key}=${value}`)
      const created = await t.hush(['secrets', 'new', name, ...pairs, '--description', `${name} test bundle`])
      expect(created.exitCode, created.stderr).toBe(0)
    }
  })

  it('picks two secrets in order, reviews the keys with the --env override, prints their --secret flags', async () => {
    const out = join(t.home, 'picked.txt')
    const term = await openTerminal(pickCommand(out, ['--env', 'SHARED=plain']))
    await term.until('Pick the secrets to inject')
    expect(await term.screen()).toMatch(/^> \[ \] hf +HF_TOKEN +\d+s ago +hf test bundle$/m)

    await term.keys('Down', 'Down')
    await term.until(/^> \[ \] wandb/m)
    await term.keys('Space')
    await term.until(/^> \[1\] wandb/m)
    await term.keys('Up', 'Up')
    await term.until(/^> \[ \] hf/m)
    await term.keys('Space')
    await term.until('Selected, in order: 1 wandb · 2 hf')

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
    const history = await tmux('capture-pane', '-p', '-S', '-', '-t', `pick${sessions}`)
    expectNoValue([history.stdout])
  })

  it('gives the picked names as JSON with --json, the picker drawn on stderr', async () => {
    const out = join(t.home, 'picked.json')
    const term = await openTerminal(pickCommand(out, ['--json']))
    await term.until(/^> \[ \] hf/m)
    await term.keys('Down', 'Enter')
    await term.until('Same as: --secret openai')
    await term.keys('Enter')
    await term.until('EXIT=0')
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({secrets: ['openai'], flags: ['--secret', 'openai']})
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
    await tmux('resize-window', '-t', `pick${sessions}`, '-x', '100', '-y', '12')
    await waitFor(async () => rowsShown(await term.screen()) === 3, 20_000)
    const small = await term.screen()
    expect(small).toContain('↓ 4 more')
    expect(small).toContain('Pick the secrets to inject')
    await term.keys('End')
    await term.until(/^> \[ \] wandb/m)
    expect(await term.screen()).toContain('↑ 4 more')
    await tmux('resize-window', '-t', `pick${sessions}`, '-x', '120', '-y', '30')
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
})

describe('start-up cost', () => {
  it('loads Ink and React only when a picker opens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-trace-'))
    try {
      let traces = 0
      const trace = async (args: string[], bundled = false) => {
        const file = join(dir, `trace-${++traces}.txt`)
        // Unbundled by default: inside the bundle every module is a chunk with no name to check.
        const mode = bundled ? {} : {HUSH_UNBUNDLED: '1'}
        const result = await execa(
          process.execPath,
          ['--import', join(ROOT, 'test/fixtures/trace-imports.mjs'), ...args],
          {env: {...t.env, ...mode, HUSH_TRACE_IMPORTS: file}, stdin: 'ignore', reject: false, cwd: ROOT},
        )
        return {result, urls: readFileSync(file, 'utf8').split('\n')}
      }
      const picker = (urls: string[]) => urls.filter((url) => /\/node_modules\/(ink|react)\/|\/dist\/ui\//.test(url))

      const list = await trace([BIN, 'secrets', 'list'])
      expect(list.result.exitCode).toBe(0)
      expect(list.urls.some((url) => url.endsWith('/dist/commands/secrets/list.js'))).toBe(true)
      expect(picker(list.urls)).toEqual([])

      // The pick command itself loads no Ink until a picker really opens.
      const pick = await trace([BIN, 'secrets', 'pick'])
      expect(pick.result.exitCode).toBe(2)
      expect(pick.urls.some((url) => url.endsWith('/dist/commands/secrets/pick.js'))).toBe(true)
      expect(picker(pick.urls).filter((url) => !url.endsWith('/dist/ui/env-plan.js'))).toEqual([])

      // The bundle (what bin/run.js runs): no chunk `secrets list` loads holds Ink's code.
      const bundled = await trace([BIN, 'secrets', 'list'], true)
      expect(bundled.result.exitCode).toBe(0)
      const chunks = bundled.urls.filter((url) => url.includes('/dist/bundle/')).map((url) => fileURLToPath(url))
      expect(chunks.length).toBeGreaterThan(0)
      expect(chunks.filter((file) => readFileSync(file, 'utf8').includes('useStdin'))).toEqual([])
      const inkChunks = readdirSync(join(ROOT, 'dist/bundle')).filter((name) =>
        readFileSync(join(ROOT, 'dist/bundle', name), 'utf8').includes('useStdin'),
      )
      expect(inkChunks.length, 'the marker is in the bundle, in a chunk of its own').toBeGreaterThan(0)

      // The tracer does see Ink when it is loaded.
      const ink = await trace(['--input-type=module', '-e', "await import('./dist/ui/run-picker.js')"])
      expect(ink.result.exitCode).toBe(0)
      expect(picker(ink.urls).some((url) => url.includes('/node_modules/ink/'))).toBe(true)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
