// `hush audit` in-process: the trail as a table (names, keys, versions, counts; never a value),
// --limit sent, --json as the agent answered, and bad limits refused before anything is sent.
import {describe, expect, it} from 'vitest'
import type {AuditEvent} from '../../../src/api/contract.js'
import Audit from '../../../src/commands/audit.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const EVENTS: AuditEvent[] = [
  {
    id: 1,
    at: '2026-01-01T00:00:00.000Z',
    event: 'secret.created',
    secret: 'hf',
    keys: ['HF_TOKEN', 'HF_USER'],
    version: 1,
    deployment: null,
  },
  {
    id: 2,
    at: '2026-01-01T00:01:00.000Z',
    event: 'secret.rotated',
    secret: 'db',
    app: 'api',
    keys: ['PGPASSWORD'],
    version: 2,
    deployment: null,
  },
  {
    id: 3,
    at: '2026-01-01T00:02:00.000Z',
    event: 'deployment.submitted',
    secret: 'hf',
    keys: ['HF_TOKEN'],
    version: 1,
    deployment: 'd-1',
  },
  {
    id: 4,
    at: '2026-01-01T00:03:00.000Z',
    event: 'store.restored',
    secret: null,
    keys: [],
    version: null,
    deployment: null,
    counts: {secrets: 2, values: 3},
  },
]

const agent = inProcessAgent(({record}) => ({
  audit: (input) => {
    record('audit', input)
    return input.limit === 7 ? [] : EVENTS
  },
}))

const asked = (limit: number) => [{route: 'audit', input: {limit}}]

describe('hush audit', () => {
  const cases: CommandCase[] = [
    {
      name: 'a table of every event: scope, keys or counts, version, deployment',
      argv: [],
      stdout: new RegExp(
        [
          '^TIME +EVENT +SECRET +KEYS +VERSION +DEPLOYMENT',
          '2026-01-01T00:00:00\\.000Z +secret\\.created +hf +HF_TOKEN,HF_USER +1',
          '2026-01-01T00:01:00\\.000Z +secret\\.rotated +db \\(app api\\) +PGPASSWORD +2',
          '2026-01-01T00:02:00\\.000Z +deployment\\.submitted +hf +HF_TOKEN +1 +d-1',
          '2026-01-01T00:03:00\\.000Z +store\\.restored +secrets=2,values=3\n$',
        ].join(' *\n'),
      ),
      received: asked(1000),
    },
    {name: '--limit goes to the agent', argv: ['--limit', '20'], stdout: /^TIME /, received: asked(20)},
    {name: 'no events', argv: ['--limit', '7'], stdout: 'No events yet.\n', received: asked(7)},
    {
      name: 'a limit below 1',
      argv: ['--limit', '0'],
      stdout: '',
      // oclif's reason is on its second line, which the one-line rule (cli/base.ts) drops.
      stderr: 'hush: Parsing --limit (see --help).\n',
      exitCode: 2,
    },
    {
      name: 'a limit that is no number',
      argv: ['--limit', 'all'],
      stdout: '',
      stderr: 'hush: Parsing --limit (see --help).\n',
      exitCode: 2,
    },
  ]
  it.each(cases)('$name', async (row) => {
    await agent.check(Audit, row)
  })

  it('--json prints the events as the agent answered', async () => {
    const {stdout} = await agent.check(Audit, {name: 'json', argv: ['--json', '--limit', '4'], received: asked(4)})
    expect(JSON.parse(stdout)).toEqual(EVENTS)
  })
})
