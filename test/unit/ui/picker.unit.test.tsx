// The picker component as a user drives it (ink-testing-library): listing, toggling in order,
// filtering, the review with `--env` overrides, confirm, cancel, scrolling, resize, empty store.
import fc from 'fast-check'
import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {planEnv} from '../../../src/ui/env-plan.js'
import {Picker, type PickerSecret} from '../../../src/ui/picker.js'

const NOW = Date.parse('2026-11-22T12:00:00Z')
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString()

const SECRETS: PickerSecret[] = [
  {name: 'hf', keys: ['HF_TOKEN'], description: 'Hugging Face read token', updatedAt: minutesAgo(5)},
  {name: 'openai', keys: ['OPENAI_API_KEY', 'SHARED'], description: 'OpenAI prod', updatedAt: minutesAgo(180)},
  {name: 'wandb', keys: ['SHARED', 'WANDB_API_KEY'], description: 'Weights & Biases', updatedAt: minutesAgo(3 * 1440)},
]

const KEYS = {
  tab: '\t',
  up: '\x1b[A',
  down: '\x1b[B',
  left: '\x1b[D',
  enter: '\r',
  space: ' ',
  backspace: '\x7f',
  escape: '\x1b',
}

function setup(secrets: PickerSecret[] = SECRETS, envKeys: string[] = []) {
  const onConfirm = vi.fn<(names: string[], files: string[]) => void>()
  const onCancel = vi.fn<() => void>()
  const app = render(
    <Picker
      secrets={secrets}
      envKeys={envKeys}
      confirmLabel="launch"
      now={NOW}
      onConfirm={onConfirm}
      onCancel={onCancel}
    />,
  )
  const frame = () => app.lastFrame() ?? ''
  /** Sends keys one at a time, letting Ink handle each (an escape alone is flushed on the next tick). */
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      app.stdin.write(key)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  const shows = (text: string | RegExp) =>
    vi.waitFor(() => (typeof text === 'string' ? expect(frame()).toContain(text) : expect(frame()).toMatch(text)), {
      timeout: 5_000,
    })
  return {app, frame, press, shows, onConfirm, onCancel}
}

/** The rows of the list, as `[mark] name` pairs (cursor marker dropped). */
function listed(frame: string): string[] {
  return frame
    .split('\n')
    .map((line) => /^[> ] (\[[ \d]+\]) +(\S+)/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => `${match[1]} ${match[2]}`)
}

afterEach(() => {
  cleanup()
})

describe('picker', () => {
  it('lists name, keys, relative update time and description, one line per secret', async () => {
    const {frame, shows} = setup()
    await shows('hf')
    expect(frame()).toMatch(/^> \[ \] hf +HF_TOKEN +5m ago +Hugging Face read token$/m)
    expect(frame()).toMatch(/^ {2}\[ \] openai +OPENAI_API_KEY,SHARED +3h ago +OpenAI prod$/m)
    expect(frame()).toMatch(/^ {2}\[ \] wandb +SHARED,WANDB_API_KEY +3d ago +Weights & Biases$/m)
    expect(frame()).toContain('3 of 3')
    expect(frame()).toMatch(/NAME +KEYS +UPDATED +DESCRIPTION/)
  })

  it('toggles with space, numbering the selection in the order it was made', async () => {
    const {frame, press, shows} = setup()
    await shows('hf')
    await press(KEYS.down, KEYS.down, KEYS.space, KEYS.up, KEYS.up, KEYS.space)
    await shows('Selected, in order: 1 wandb · 2 hf')
    expect(listed(frame())).toEqual(['[2] hf', '[ ] openai', '[1] wandb'])
    await press(KEYS.down, KEYS.down, KEYS.space)
    await shows('Selected, in order: 1 hf')
    expect(listed(frame())).toEqual(['[1] hf', '[ ] openai', '[ ] wandb'])
  })

  it('filters by name, key or description, case-insensitively; backspace edits the filter', async () => {
    const {frame, press, shows} = setup()
    await shows('hf')
    await press('W', 'A', 'N')
    await shows('Filter: WAN')
    expect(listed(frame())).toEqual(['[ ] wandb'])
    expect(frame()).toContain('1 of 3')
    await press(KEYS.backspace, KEYS.backspace, KEYS.backspace, 'h', 'f', '_', 't')
    await shows('Filter: hf_t')
    expect(listed(frame())).toEqual(['[ ] hf'])
    await press(KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, 'p', 'r', 'o', 'd')
    await shows('Filter: prod')
    expect(listed(frame())).toEqual(['[ ] openai'])
    await press('x')
    await shows('No secret matches "prodx"')
    expect(listed(frame())).toEqual([])
    await press(KEYS.enter)
    await shows('Nothing selected')
  })

  it('keeps the selection while filtering and toggles the row under the cursor', async () => {
    const {frame, press, shows} = setup()
    await shows('hf')
    await press('w', 'a', 'n', 'd', KEYS.space)
    await shows('Selected, in order: 1 wandb')
    await press(KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace)
    await shows('3 of 3')
    expect(listed(frame())).toEqual(['[ ] hf', '[ ] openai', '[1] wandb'])
  })

  it('switches a secret between env and files with tab, and confirms the files apart', async () => {
    const {frame, press, shows, onConfirm} = setup()
    await shows('hf')
    // tab on hf selects it as files; space on wandb adds it as env; tab twice on openai: back to env.
    await press(KEYS.tab, KEYS.down, KEYS.down, KEYS.space, KEYS.up, KEYS.tab, KEYS.tab)
    await shows('Selected, in order: 1 hf (file) · 2 wandb · 3 openai')
    expect(frame()).toMatch(/\[1\] hf +files: HF_TOKEN/)
    await press(KEYS.enter)
    await shows('Review before you launch')
    expect(frame()).toContain('Same as: --secret wandb --secret openai --secret-file hf')
    expect(frame()).toContain('Mounted as read-only files (/run/secrets/KEY), not env: hf')
    expect(frame()).not.toMatch(/^ {2}HF_TOKEN/m)
    await press(KEYS.enter)
    await vi.waitFor(() => expect(onConfirm).toHaveBeenCalledWith(['wandb', 'openai'], ['hf']))
  })

  it('reviews the keys and their bundles, then confirms the names in selection order', async () => {
    const {frame, press, shows, onConfirm, onCancel} = setup()
    await shows('hf')
    await press(KEYS.down, KEYS.down, KEYS.space, KEYS.up, KEYS.space, KEYS.enter)
    await shows('Review before you launch')
    expect(frame()).toContain('Bundles in order (a later one wins on a shared key): 1 wandb · 2 openai')
    expect(frame()).toContain('Same as: --secret wandb --secret openai')
    expect(frame()).toMatch(/^ {2}SHARED +openai +also in wandb: openai wins \(later\)$/m)
    expect(frame()).toMatch(/^ {2}WANDB_API_KEY +wandb *$/m)
    expect(frame()).toMatch(/^ {2}OPENAI_API_KEY +openai *$/m)
    expect(frame()).toContain('3 keys injected')
    expect(onConfirm).not.toHaveBeenCalled()
    await press(KEYS.enter)
    await vi.waitFor(() => expect(onConfirm).toHaveBeenCalledWith(['wandb', 'openai'], []))
    expect(onConfirm).toHaveBeenCalledTimes(1)
    expect(onCancel).not.toHaveBeenCalled()
    expect(frame()).toContain('Picked, in order: wandb, openai')
  })

  it('goes back from the review with left or backspace, selection kept', async () => {
    const {frame, press, shows} = setup()
    await shows('hf')
    await press(KEYS.space, KEYS.enter)
    await shows('Review before you launch')
    await press(KEYS.left)
    await shows('Selected, in order: 1 hf')
    await press(KEYS.enter)
    await shows('Review before you launch')
    await press(KEYS.backspace)
    await shows('Pick the secrets')
    expect(listed(frame())[0]).toBe('[1] hf')
  })

  it('takes the secret under the cursor when enter is pressed with nothing toggled', async () => {
    const {press, shows, onConfirm} = setup()
    await shows('hf')
    await press(KEYS.down, KEYS.enter)
    await shows('Same as: --secret openai')
    await press(KEYS.enter)
    await vi.waitFor(() => expect(onConfirm).toHaveBeenCalledWith(['openai'], []))
  })

  it('shows which keys an --env overrides: they are not injected', async () => {
    const {frame, press, shows} = setup(SECRETS, ['SHARED', 'PORT'])
    await shows('--env on the command line wins for: SHARED, PORT')
    await press(KEYS.space, KEYS.down, KEYS.space, KEYS.enter)
    await shows('Review before you launch')
    expect(frame()).toMatch(/^ {2}SHARED +openai +not injected: --env SHARED wins$/m)
    expect(frame()).toMatch(/^ {2}HF_TOKEN +hf *$/m)
    expect(frame()).toContain('2 keys injected, 1 overridden by --env (not injected)')
    expect(frame()).not.toMatch(/^ {2}PORT/m)
  })

  it('cancels with escape, from the list and from the review, and with Ctrl-C', async () => {
    for (const path of [[KEYS.escape], [KEYS.space, KEYS.enter, KEYS.escape], ['h', '\x03']]) {
      const {app, press, shows, onConfirm, onCancel} = setup()
      await shows('hf')
      await press(...path)
      await vi.waitFor(() => expect(onCancel).toHaveBeenCalledTimes(1))
      expect(onConfirm).not.toHaveBeenCalled()
      app.unmount()
    }
  })

  it('handles keys that arrive in one burst, but never confirms from a burst', async () => {
    const {frame, press, shows, onConfirm} = setup()
    await shows('hf')
    await press('wan\x7f\x7f\x7f \r\r')
    await shows('Review before you launch')
    expect(frame()).toContain('Same as: --secret hf')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(onConfirm).not.toHaveBeenCalled()
    await press(KEYS.enter)
    await vi.waitFor(() => expect(onConfirm).toHaveBeenCalledWith(['hf'], []))
  })

  it('scrolls a long list to keep the cursor visible', async () => {
    const many = Array.from({length: 40}, (_, i) => ({
      name: `s${String(i).padStart(2, '0')}`,
      keys: [`K${i}`],
      description: `secret number ${i}`,
      updatedAt: minutesAgo(i),
    }))
    const {frame, press, shows} = setup(many)
    await shows('s00')
    // 24 rows (the default when the terminal size is unknown) leave 15 rows for the list.
    expect(listed(frame())).toHaveLength(15)
    expect(frame()).toContain('↓ 25 more')
    expect(frame()).not.toMatch(/↑ \d+ more/)
    await press(...Array.from({length: 20}, () => KEYS.down))
    await shows(/^> \[ \] s20/m)
    expect(listed(frame())).toHaveLength(15)
    expect(listed(frame())[14]).toBe('[ ] s20')
    expect(frame()).toContain('↑ 6 more')
    expect(frame()).toContain('↓ 19 more')
    await press(KEYS.space, '\x1b[F')
    await shows(/^> \[ \] s39/m)
    expect(frame()).not.toMatch(/↓ \d+ more/)
    await press('\x1b[H')
    await shows(/^> \[ \] s00/m)
    expect(frame()).toContain('Selected, in order: 1 s20')
    expect(frame().split('\n').length).toBeLessThan(24)
  })

  it('redraws to the new height when the terminal is resized', async () => {
    const many = Array.from({length: 30}, (_, i) => ({
      name: `s${String(i).padStart(2, '0')}`,
      keys: ['K'],
      description: '',
      updatedAt: minutesAgo(1),
    }))
    const {app, frame, press, shows} = setup(many)
    await shows('s00')
    expect(listed(frame())).toHaveLength(15)
    Object.defineProperty(app.stdout, 'rows', {value: 12, configurable: true})
    app.stdout.emit('resize')
    await vi.waitFor(() => expect(listed(frame())).toHaveLength(3))
    await press(KEYS.down, KEYS.down, KEYS.down)
    await shows(/^> \[ \] s03/m)
    expect(listed(frame())).toEqual(['[ ] s01', '[ ] s02', '[ ] s03'])
    Object.defineProperty(app.stdout, 'rows', {value: 40, configurable: true})
    app.stdout.emit('resize')
    await vi.waitFor(() => expect(listed(frame())).toHaveLength(30))
  })

  it('truncates long text to the terminal width instead of wrapping', async () => {
    const long: PickerSecret[] = [
      {name: 'x'.repeat(60), keys: ['A', 'B', 'C'], description: 'd'.repeat(300), updatedAt: minutesAgo(1)},
    ]
    const {frame, shows} = setup(long)
    await shows('xxxx')
    for (const line of frame().split('\n')) expect(line.length).toBeLessThanOrEqual(100)
    expect(listed(frame())).toHaveLength(1)
  })

  it('on an empty store says how to create a secret, and enter or escape exits', async () => {
    for (const key of [KEYS.enter, KEYS.escape]) {
      const {app, frame, press, shows, onCancel, onConfirm} = setup([])
      await shows('No secrets yet')
      expect(frame()).toContain('hush secrets new NAME --from-stdin KEY')
      await press(' ', KEYS.down, key)
      await vi.waitFor(() => expect(onCancel).toHaveBeenCalledTimes(1))
      expect(onConfirm).not.toHaveBeenCalled()
      app.unmount()
    }
  })
})

describe('planEnv', () => {
  it('matches the command-line rule: later bundle wins, --env wins over all', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd')
    const key = fc.constantFrom<string>('K1', 'K2', 'K3', 'K4', 'K5')
    const bundles = fc.uniqueArray(fc.record({name, keys: fc.uniqueArray(key, {minLength: 1})}), {
      selector: (bundle) => bundle.name,
    })
    fc.assert(
      fc.property(bundles, fc.uniqueArray(key), (all, envKeys) => {
        const selected = all.map((bundle) => bundle.name)
        const plan = planEnv(all, selected, envKeys)
        // The same environment built the naive way: apply bundles in order, then --env.
        const winner = new Map<string, string>()
        for (const bundle of all) for (const k of bundle.keys) winner.set(k, bundle.name)
        expect(new Set(plan.map((entry) => entry.key))).toEqual(new Set(winner.keys()))
        for (const entry of plan) {
          expect(entry.from).toBe(winner.get(entry.key))
          expect(entry.overriddenByEnv).toBe(envKeys.includes(entry.key))
          const holders = all.filter((bundle) => bundle.keys.includes(entry.key)).map((bundle) => bundle.name)
          expect([...entry.shadowed, entry.from]).toEqual(holders)
        }
      }),
    )
  })
})
