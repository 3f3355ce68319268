// `hush secrets new` in-process: every way to give values (arguments, standard input, the
// environment, a .env file, a preset), each value travelling sealed and opened only by the agent;
// bad input refused in one line before anything is sent, and no value in any output.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import SecretsNew from '../../../src/commands/secrets/new.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const BASE: SecretInfo = {
  name: '',
  app: null,
  keys: [],
  description: '',
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  usedBy: [],
}

/** The values the agent opened (sealed by the command), by key. */
const opened = new Map<string, string>()

const agent = inProcessAgent(({record, open}) => ({
  createSecret: (input) => {
    record('createSecret', {...input, values: Object.keys(input.values)})
    for (const [key, sealed] of Object.entries(input.values)) opened.set(key, open(sealed, `value of ${key}`))
    const replaced = input.name === 'live'
    return {
      secret: {
        ...BASE,
        name: input.name,
        app: input.app ?? null,
        keys: Object.keys(input.values).sort(),
        version: replaced ? 4 : 1,
      },
      replaced,
      staleDeployments: replaced ? ['d-1', 'd-2'] : [],
    }
  },
}))

afterEach(() => opened.clear())

const created = (input: object) => [{route: 'createSecret', input}]

describe('hush secrets new', () => {
  const sent: Array<CommandCase & {values?: Record<string, string>}> = [
    {
      name: 'KEY=VALUE arguments',
      argv: ['hf', 'HF_TOKEN=hf_arg-value', 'HF_USER=me=you'],
      stdout: 'Created secret hf: version 1, keys HF_TOKEN, HF_USER.\n',
      received: created({name: 'hf', values: ['HF_TOKEN', 'HF_USER']}),
      values: {HF_TOKEN: 'hf_arg-value', HF_USER: 'me=you'},
    },
    {
      name: '--from-stdin: all of standard input less one trailing newline',
      argv: ['gh', '--from-stdin', 'GITHUB_TOKEN', '--description', 'ci'],
      run: {stdin: 'ghp_value-from-stdin\n'},
      stdout: 'Created secret gh: version 1, keys GITHUB_TOKEN.\n',
      received: created({name: 'gh', description: 'ci', values: ['GITHUB_TOKEN']}),
      values: {GITHUB_TOKEN: 'ghp_value-from-stdin'},
    },
    {
      name: '--from-stdin keeps a second newline and CRLF only once',
      argv: ['two', '--from-stdin', 'PEM'],
      run: {stdin: 'line one\nline two\r\n'},
      stdout: 'Created secret two: version 1, keys PEM.\n',
      received: created({name: 'two', values: ['PEM']}),
      values: {PEM: 'line one\nline two'},
    },
    {
      name: '--preset fills its key from standard input',
      argv: ['hf', '--preset', 'hf'],
      run: {stdin: 'hf_preset-value'},
      stdout: 'Created secret hf: version 1, keys HF_TOKEN.\n',
      received: created({name: 'hf', values: ['HF_TOKEN']}),
      values: {HF_TOKEN: 'hf_preset-value'},
    },
    {
      name: '--app scopes it, and the line says so',
      argv: ['db', '--app', 'api', 'PGPASSWORD=pg-value'],
      stdout: 'Created secret db for app api: version 1, keys PGPASSWORD.\n',
      received: created({name: 'db', app: 'api', values: ['PGPASSWORD']}),
      values: {PGPASSWORD: 'pg-value'},
    },
    {
      name: 'replacing a live secret names the deployments on the old version',
      argv: ['live', 'A=live-value'],
      stdout:
        'Replaced secret live: version 4, keys A.\nStill running the old version: d-1, d-2. Resubmit with: hush resubmit d-1; hush resubmit d-2\n',
      received: created({name: 'live', values: ['A']}),
      values: {A: 'live-value'},
    },
  ]
  it.each(sent)('$name', async ({values, ...row}) => {
    const outcome = await agent.check(SecretsNew, row)
    expect(Object.fromEntries(opened)).toEqual(values)
    for (const value of Object.values(values ?? {})) expect(outcome.stdout + outcome.stderr).not.toContain(value)
  })

  it('--from-env takes the value from the command’s environment and removes it there', async () => {
    const outcome = await agent.check(SecretsNew, {
      name: 'from-env',
      argv: ['wandb', '--from-env', 'WANDB_API_KEY', 'WANDB_ENTITY=team'],
      run: {env: {WANDB_API_KEY: 'wandb-value'}},
      stdout: 'Created secret wandb: version 1, keys WANDB_API_KEY, WANDB_ENTITY.\n',
      received: created({name: 'wandb', values: ['WANDB_ENTITY', 'WANDB_API_KEY']}),
    })
    expect(opened.get('WANDB_API_KEY')).toBe('wandb-value')
    expect(outcome.env.WANDB_API_KEY).toBeUndefined()
  })

  it('--from-dotenv reads KEY=VALUE lines from a file', async () => {
    const file = join(agent.dir, 'app.env')
    writeFileSync(file, '# app\nDB_URL=postgres://u:p@h/db\nexport TOKEN="quoted value"\n')
    await agent.check(SecretsNew, {
      name: 'dotenv',
      argv: ['app', '--from-dotenv', file],
      stdout: 'Created secret app: version 1, keys DB_URL, TOKEN.\n',
      received: created({name: 'app', values: ['DB_URL', 'TOKEN']}),
    })
    expect(Object.fromEntries(opened)).toEqual({DB_URL: 'postgres://u:p@h/db', TOKEN: 'quoted value'})
  })

  it('--json prints the agent’s answer, with no value in it', async () => {
    const {stdout} = await agent.check(SecretsNew, {
      name: 'json',
      argv: ['hf', '--json', '--from-stdin', 'HF_TOKEN'],
      run: {stdin: 'hf_json-value'},
      received: created({name: 'hf', values: ['HF_TOKEN']}),
    })
    expect(JSON.parse(stdout)).toEqual({
      secret: {...BASE, name: 'hf', keys: ['HF_TOKEN']},
      replaced: false,
      staleDeployments: [],
    })
    expect(stdout).not.toContain('hf_json-value')
  })

  const refused: CommandCase[] = [
    {
      name: 'an argument that is not KEY=VALUE',
      argv: ['hf', 'hf_looks-like-a-value'],
      stderr:
        'hush: Argument 2 is not KEY=VALUE: write KEY=VALUE, or use --from-stdin KEY / --from-env KEY to keep the value out of your shell history.\n',
    },
    {
      name: 'a bad key, not echoed (it may be a value)',
      argv: ['hf', '1hf_secret=x'],
      stderr:
        /^hush: Invalid key in argument 2 \(KEY=VALUE\) \(not shown: it may be a value\): a key is an env var name .+\.\n$/,
    },
    {
      name: 'a key given twice',
      argv: ['hf', 'A=1', '--from-env', 'A'],
      run: {env: {A: '2'}},
      stderr: 'hush: Key A is given twice (again by --from-env): give each key once.\n',
    },
    {
      name: '--from-env of a variable that is not set',
      argv: ['wandb', '--from-env', 'NOT_SET_HERE'],
      stderr: 'hush: --from-env NOT_SET_HERE: the variable NOT_SET_HERE is not set in this environment.\n',
    },
    {
      name: '--from-stdin and --preset both read standard input',
      argv: ['hf', '--from-stdin', 'A', '--preset', 'hf'],
      run: {stdin: 'x'},
      stderr: 'hush: --from-stdin and --preset both read standard input: use one of them.\n',
    },
    {
      name: 'an unknown preset',
      argv: ['hf', '--preset', 'nope'],
      stderr: /^hush: Expected --preset=nope to be one of: hf, openai, anthropic, github, wandb \(see --help\)\.\n$/,
    },
    {
      name: 'a missing .env file',
      argv: ['app', '--from-dotenv', '/nonexistent/app.env'],
      stderr: 'hush: --from-dotenv /nonexistent/app.env: cannot read it (ENOENT).\n',
    },
    {name: 'no name', argv: [], stderr: /^hush: Missing 1 required arg:.* \(see --help\)\.\n$/},
  ]
  it.each(refused)('refuses $name: exit 2, one line, nothing sent', async (row) => {
    await agent.check(SecretsNew, {stdout: '', exitCode: 2, ...row})
    expect(opened.size).toBe(0)
  })
})
