// `hush secrets rotate` in-process: new values sealed (opened only by the agent), renames and
// removals sent as given, the line that says what changed, --resubmit of the stale deployments
// (a session skipped, a failure named and exit 1), and every refusal before anything is sent.
import {afterEach, describe, expect, it} from 'vitest'
import type {DeploymentDetail, ResubmitOutput, SecretInfo} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import SecretsRotate from '../../../src/commands/secrets/rotate.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const SECRET: SecretInfo = {
  name: 'hf',
  app: null,
  keys: ['HF_TOKEN'],
  description: '',
  version: 4,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  usedBy: [],
}
/** Live deployments on an older version of `stale`: d-2 is a session, d-3's resubmit fails. */
const STALE = ['d-1', 'd-2', 'd-3']

const opened = new Map<string, string>()

const agent = inProcessAgent(({record, open}) => ({
  rotateSecret: (input) => {
    const keys = Object.keys(input.values ?? {})
    record('rotateSecret', {...input, values: keys})
    for (const [key, sealed] of Object.entries(input.values ?? {})) opened.set(key, open(sealed, `value of ${key}`))
    return {
      secret: {...SECRET, name: input.name, app: input.app ?? null},
      changedKeys: keys.filter((key) => key === 'HF_TOKEN'),
      addedKeys: keys.filter((key) => key !== 'HF_TOKEN'),
      renamedKeys: Object.entries(input.rename ?? {}).map(([from, to]) => ({from, to})),
      removedKeys: input.remove ?? [],
      staleDeployments: input.name === 'stale' ? STALE : [],
    }
  },
  getDeployment: (input) => {
    record('getDeployment', input)
    return {options: input.id === 'd-2' ? {interactive: true, tty: true} : {}} as DeploymentDetail
  },
  resubmit: (input) => {
    record('resubmit', input)
    if (input.id === 'd-3') throw new HushError('launch_failed', 'docker run failed: no such image.\nmore detail')
    return {revision: 2} as ResubmitOutput
  },
}))

afterEach(() => opened.clear())

const rotated = (input: object) => ({route: 'rotateSecret', input})

describe('hush secrets rotate', () => {
  const cases: Array<CommandCase & {values?: Record<string, string>}> = [
    {
      name: 'a value from standard input changes a key, an argument adds one',
      argv: ['hf', '--from-stdin', 'HF_TOKEN', 'HF_USER=me'],
      run: {stdin: 'hf_new-value\n'},
      stdout: 'Rotated secret hf: version 4, changed HF_TOKEN; added HF_USER.\n',
      received: [rotated({name: 'hf', values: ['HF_USER', 'HF_TOKEN']})],
      values: {HF_TOKEN: 'hf_new-value', HF_USER: 'me'},
    },
    {
      name: '--from-env reads the command’s environment',
      argv: ['hf', '--from-env', 'HF_TOKEN', '--app', 'api'],
      run: {env: {HF_TOKEN: 'hf_env-value'}},
      stdout: 'Rotated secret hf for app api: version 4, changed HF_TOKEN.\n',
      received: [rotated({name: 'hf', app: 'api', values: ['HF_TOKEN']})],
      values: {HF_TOKEN: 'hf_env-value'},
    },
    {
      name: '--rename and --remove go as given, with no value',
      argv: ['hf', '--rename', 'HF_TOKEN=HUGGINGFACE_TOKEN', '--rename', 'A=B', '--remove', 'OLD'],
      stdout: 'Rotated secret hf: version 4, renamed HF_TOKEN to HUGGINGFACE_TOKEN, A to B; removed OLD.\n',
      received: [rotated({name: 'hf', values: [], rename: {HF_TOKEN: 'HUGGINGFACE_TOKEN', A: 'B'}, remove: ['OLD']})],
      values: {},
    },
    {
      name: 'a new description alone',
      argv: ['hf', '--description', 'read token'],
      stdout: 'Rotated secret hf: version 4.\n',
      received: [rotated({name: 'hf', description: 'read token', values: []})],
      values: {},
    },
    {
      name: 'stale deployments are named, with how to resubmit them',
      argv: ['stale', 'HF_TOKEN=x1'],
      stdout:
        'Rotated secret stale: version 4, changed HF_TOKEN.\nLive deployments on an older version: d-1, d-2, d-3\nResubmit them with: hush resubmit d-1 && hush resubmit d-2 && hush resubmit d-3\n',
      received: [rotated({name: 'stale', values: ['HF_TOKEN']})],
      values: {HF_TOKEN: 'x1'},
    },
    {
      name: '--resubmit: each resubmitted, a session skipped, a failure named in one line and exit 1',
      argv: ['stale', 'HF_TOKEN=x2', '--resubmit'],
      stdout: [
        'Rotated secret stale: version 4, changed HF_TOKEN.',
        'Resubmitted d-1: revision 2.',
        'Skipped d-2: it is an interactive session (-i/-t), never resubmitted: start a new one with `hush submit -it ...`.',
        'Not resubmitted d-3: docker run failed: no such image.',
        '',
      ].join('\n'),
      exitCode: 1,
      received: [
        rotated({name: 'stale', values: ['HF_TOKEN']}),
        {route: 'getDeployment', input: {id: 'd-1'}},
        {route: 'resubmit', input: {id: 'd-1'}},
        {route: 'getDeployment', input: {id: 'd-2'}},
        {route: 'getDeployment', input: {id: 'd-3'}},
        {route: 'resubmit', input: {id: 'd-3'}},
      ],
      values: {HF_TOKEN: 'x2'},
    },
  ]
  it.each(cases)('$name', async ({values, ...row}) => {
    const outcome = await agent.check(SecretsRotate, row)
    expect(Object.fromEntries(opened)).toEqual(values)
    for (const value of Object.values(values ?? {})) expect(outcome.stdout + outcome.stderr).not.toContain(value)
  })

  const refused: CommandCase[] = [
    {
      name: 'nothing to rotate',
      argv: ['hf'],
      stderr:
        'hush: Nothing to rotate: give KEY=VALUE, --from-stdin KEY, --from-env KEY, --rename OLD=NEW or --remove KEY.\n',
    },
    {
      name: 'a --rename that is not OLD=NEW',
      argv: ['hf', '--rename', 'A=B', '--rename', 'HF_TOKEN'],
      stderr: 'hush: --rename number 2 is not OLD=NEW: write --rename OLD=NEW (two keys).\n',
    },
    {
      name: 'a key renamed twice',
      argv: ['hf', '--rename', 'A=B', '--rename', 'A=C'],
      stderr: 'hush: --rename A=... is given twice: rename each key once.\n',
    },
    {
      name: 'a --rename to a bad key, not echoed',
      argv: ['hf', '--rename', 'A=hf_secret-looking'],
      stderr: /^hush: Invalid key in --rename number 1 \(not shown: it may be a value\): /,
    },
    {
      name: 'an argument that is not KEY=VALUE',
      argv: ['hf', 'HF_TOKEN'],
      stderr: /^hush: Argument 2 is not KEY=VALUE: /,
    },
    {
      name: '--from-env of a variable that is not set',
      argv: ['hf', '--from-env', 'NOT_SET_HERE'],
      stderr: 'hush: --from-env NOT_SET_HERE: the variable NOT_SET_HERE is not set in this environment.\n',
    },
    {name: 'no name', argv: [], stderr: /^hush: Missing 1 required arg:/},
  ]
  it.each(refused)('refuses $name: exit 2, one line, nothing sent', async (row) => {
    await agent.check(SecretsRotate, {stdout: '', exitCode: 2, ...row})
  })

  it('--json prints the agent’s answer (and with --resubmit still exits 1 on a failure)', async () => {
    const {stdout} = await agent.check(SecretsRotate, {
      name: 'json',
      argv: ['stale', '--json', '--remove', 'OLD', '--resubmit'],
      exitCode: 1,
      received: [
        rotated({name: 'stale', values: [], remove: ['OLD']}),
        ...['d-1', 'd-2', 'd-3'].flatMap((id) => [
          {route: 'getDeployment', input: {id}},
          ...(id === 'd-2' ? [] : [{route: 'resubmit', input: {id}}]),
        ]),
      ],
    })
    expect(JSON.parse(stdout)).toMatchObject({secret: {name: 'stale'}, removedKeys: ['OLD'], staleDeployments: STALE})
  })
})
