// `hush secrets presets` in-process: the providers `secrets new --preset` knows, without the agent.
import {describe, expect, it} from 'vitest'
import SecretsPresets from '../../../src/commands/secrets/presets.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const agent = inProcessAgent(() => ({}))

const PRESETS = [
  {preset: 'hf', key: 'HF_TOKEN'},
  {preset: 'openai', key: 'OPENAI_API_KEY'},
  {preset: 'anthropic', key: 'ANTHROPIC_API_KEY'},
  {preset: 'github', key: 'GITHUB_TOKEN'},
  {preset: 'wandb', key: 'WANDB_API_KEY'},
]

describe('hush secrets presets', () => {
  const cases: CommandCase[] = [
    {
      name: 'a table of each preset and its key, then how to use one',
      argv: [],
      stdout: new RegExp(
        `^PRESET +KEY\n${PRESETS.map(({preset, key}) => `${preset} +${key}\n`).join('')}Use one with: hush secrets new NAME --preset PRESET \\(the value is read without echo\\)\\.\n$`,
      ),
    },
    {
      name: 'an argument is refused',
      argv: ['hf'],
      stdout: '',
      stderr: 'hush: Unexpected argument: hf (see --help).\n',
      exitCode: 2,
    },
  ]
  it.each(cases)('$name', async (row) => {
    await agent.check(SecretsPresets, row)
  })

  it('--json lists them, and nothing else', async () => {
    const {stdout} = await agent.check(SecretsPresets, {name: 'json', argv: ['--json']})
    expect(JSON.parse(stdout)).toEqual(PRESETS)
  })
})
