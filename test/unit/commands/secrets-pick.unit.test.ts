// `hush secrets pick` in-process, with a stand-in for the Ink picker (CommandDeps.picker): what the
// picker is shown and given, the flags printed from what it picked, and the refusals without a
// terminal, before anything is asked of the agent.
import {describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import type {RunPicker} from '../../../src/cli/pick.js'
import SecretsPick from '../../../src/commands/secrets/pick.js'
import type {PickedSecrets} from '../../../src/ui/run-picker.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const secret = (name: string, app: string | null = null): SecretInfo => ({
  name,
  app,
  keys: ['A'],
  description: app ? `of app ${app}` : 'shared',
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  usedBy: [],
})

let stored: SecretInfo[] = []
const agent = inProcessAgent(({record}) => ({
  listSecrets: (input) => {
    record('listSecrets', input)
    return stored
  },
}))

/** What the stand-in picker was shown, and what it answers. */
const shown: Array<{names: string[]; envKeys: string[]; confirmLabel?: string}> = []
const picker =
  (answer: PickedSecrets | undefined): RunPicker =>
  async (secrets, envKeys, _terminal, options) => {
    shown.push({
      names: secrets.map((s) => `${s.name} (${s.description})`),
      envKeys,
      confirmLabel: options?.confirmLabel,
    })
    return answer
  }
const TERMINAL = {stdin: true, stderr: true}
const listed = [{route: 'listSecrets', input: {}}]

describe('hush secrets pick', () => {
  const cases: Array<CommandCase & {answer?: PickedSecrets; secrets?: SecretInfo[]; picker?: object}> = [
    {
      name: 'prints the picked secrets as flags, env ones then files, in the order picked',
      argv: [],
      secrets: [secret('hf'), secret('db'), secret('cert')],
      answer: {secrets: ['db', 'hf'], files: ['cert']},
      stdout: '--secret db --secret hf --secret-file cert\n',
      received: listed,
      picker: {names: ['hf (shared)', 'db (shared)', 'cert (shared)'], envKeys: [], confirmLabel: 'print'},
    },
    {
      name: '--env keys reach the picker as overrides (the value is not its business)',
      argv: ['--env', 'PORT=8080', '--env', 'HOST'],
      secrets: [secret('hf')],
      answer: {secrets: ['hf'], files: []},
      stdout: '--secret hf\n',
      received: listed,
      picker: {names: ['hf (shared)'], envKeys: ['PORT', 'HOST'], confirmLabel: 'print'},
    },
    {
      name: 'only shared secrets are shown: an app’s own wait for submit --name',
      argv: [],
      secrets: [secret('db'), secret('db', 'api'), secret('key', 'api')],
      answer: {secrets: ['db'], files: []},
      stdout: '--secret db\n',
      received: listed,
      picker: {names: ['db (shared)'], envKeys: [], confirmLabel: 'print'},
    },
    {
      name: 'cancelled in the picker: exit 1, nothing printed',
      argv: [],
      secrets: [secret('hf')],
      answer: undefined,
      stdout: '',
      stderr: 'hush: Cancelled: nothing picked.\n',
      exitCode: 1,
      received: listed,
      picker: {names: ['hf (shared)'], envKeys: [], confirmLabel: 'print'},
    },
    {
      name: 'no secrets to pick: how to make one, exit 1',
      argv: [],
      secrets: [],
      answer: undefined,
      stdout: '',
      stderr: 'hush: No secrets to pick: create one first with hush secrets new NAME --from-stdin KEY.\n',
      exitCode: 1,
      received: listed,
      picker: {names: [], envKeys: [], confirmLabel: 'print'},
    },
  ]
  it.each(cases)('$name', async ({answer, secrets, picker: expected, ...row}) => {
    stored = secrets ?? []
    shown.length = 0
    await agent.check(SecretsPick, {...row, run: {isTTY: TERMINAL, deps: {picker: picker(answer)}}})
    expect(shown).toEqual([expected])
  })

  const refused: CommandCase[] = [
    {
      name: 'no terminal at all',
      argv: [],
      stderr:
        'hush: The picker (--pick) needs a terminal: name the secrets with --secret NAME instead (repeat it for more).\n',
    },
    {
      name: 'standard input not a terminal (piped)',
      argv: [],
      run: {isTTY: {stdin: false, stderr: true, stdout: true}},
      stderr:
        'hush: The picker (--pick) needs a terminal: name the secrets with --secret NAME instead (repeat it for more).\n',
    },
    {
      name: 'an --env key that is not a key, not echoed',
      argv: ['--env', '1hf_value=x'],
      run: {isTTY: TERMINAL},
      stderr: /^hush: Invalid key in --env \(not shown: it may be a value\): /,
    },
    {
      name: 'an argument',
      argv: ['hf'],
      run: {isTTY: TERMINAL},
      stderr: 'hush: Unexpected argument: hf (see --help).\n',
    },
  ]
  it.each(refused)('refuses $name: exit 2, the picker not opened, nothing asked of the agent', async (row) => {
    shown.length = 0
    await agent.check(SecretsPick, {
      ...row,
      run: {...row.run, deps: {picker: picker({secrets: ['hf'], files: []})}},
      stdout: '',
      exitCode: 2,
    })
    expect(shown).toEqual([])
  })

  it('--json prints what was picked and the flags', async () => {
    stored = [secret('hf'), secret('cert')]
    const {stdout} = await agent.check(SecretsPick, {
      name: 'json',
      argv: ['--json'],
      run: {isTTY: TERMINAL, deps: {picker: picker({secrets: ['hf'], files: ['cert']})}},
      received: listed,
    })
    expect(JSON.parse(stdout)).toEqual({
      secrets: ['hf'],
      files: ['cert'],
      flags: ['--secret', 'hf', '--secret-file', 'cert'],
    })
  })
})
