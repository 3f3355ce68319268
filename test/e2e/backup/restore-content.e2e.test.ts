// A restored file is checked row by row against the rules of a live one: a hand-made backup (it
// needs only its passphrase) with a bad version, time, name, key, audit event or count is refused
// with one line naming the row and field, and nothing is restored; a good hand-made one restores,
// and the versions keep increasing after it.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {AuditEvent, SecretInfo} from '../../../src/api/contract.js'
import {MAX_VERSION} from '../../../src/api/limits.js'
import Audit from '../../../src/commands/audit.js'
import Backup from '../../../src/commands/backup.js'
import Restore from '../../../src/commands/restore.js'
import SecretsList from '../../../src/commands/secrets/list.js'
import {BACKUP_PASSPHRASE, craftBackup, readBackup} from '../../support/backup-tools.js'
import {makeHome, type TestHome} from '../../support/helpers.js'
import {runAgainstStore} from '../../support/in-process.js'

type Row = Record<string, unknown>
interface Meta {
  secrets: Row[]
  deleted: Row[]
  audit: Row[]
}

let source: TestHome
let target: TestHome
let dir: string
/** The real backup of `source`: its metadata and values, edited copy by copy below. */
let real: {meta: Meta; values: Uint8Array[]}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-restore-content-'))
  source = makeHome()
  await source.ok(['secrets', 'new', 'db', 'PASSWORD=v1', '--description', 'the database'])
  await source.ok(['secrets', 'rotate', 'db', 'PASSWORD=v2'])
  await source.ok(['secrets', 'new', 'gone', 'X=1'])
  await source.ok(['secrets', 'delete', 'gone'])
  const file = join(dir, 'real.backup')
  await source.ok(['backup', file, '--include-deleted'], {input: BACKUP_PASSPHRASE})
  const opened = await readBackup(file)
  real = {meta: JSON.parse(new TextDecoder().decode(opened.meta)) as Meta, values: opened.values}
  target = makeHome()
  await target.ok(['secrets', 'list'])
}, 120_000)

afterAll(async () => {
  await source?.cleanup()
  await target?.cleanup()
  rmSync(dir, {recursive: true, force: true})
})

/** A copy of the real metadata, changed by `edit`. */
function edited(edit: (meta: Meta) => void): Meta {
  const meta = structuredClone(real.meta)
  edit(meta)
  return meta
}

const db = (meta: Meta) => meta.secrets[0]
const firstAudit = (meta: Meta) => meta.audit[0]
const deployment = (meta: Meta, row: Row) => {
  meta.audit.push({...firstAudit(meta), ...row})
}
/** An edit that sets one field of the row `pick` finds. */
const set =
  (pick: (meta: Meta) => Row, name: string, value: unknown) =>
  (meta: Meta): void => {
    pick(meta)[name] = value
  }

/** Each bad field, and what the one-line refusal names (the row, the field, the rule). */
const bad: Array<[string, (meta: Meta) => void, string]> = [
  ['version 2^53', set(db, 'version', 2 ** 53), 'secrets[0] "db" version: Invalid version "9007199254740992"'],
  ['version 1e308', set(db, 'version', 1e308), 'secrets[0] "db" version: Invalid version "1e+308"'],
  ['version past the highest', set(db, 'version', MAX_VERSION + 1), 'secrets[0] "db" version'],
  ['version 0', set(db, 'version', 0), 'secrets[0] "db" version'],
  ['version 1.5', set(db, 'version', 1.5), 'secrets[0] "db" version'],
  ['version as text', set(db, 'version', '7'), 'secrets[0] "db" version'],
  ['createdAt not a date', set(db, 'createdAt', 'not a date'), 'secrets[0] "db" createdAt: Invalid time "not a date"'],
  ['updatedAt 30 February', set(db, 'updatedAt', '2026-02-30T00:00:00.000Z'), 'secrets[0] "db" updatedAt'],
  ['createdAt in 1970', set(db, 'createdAt', '1970-01-01T00:00:00.000Z'), 'secrets[0] "db" createdAt'],
  ['createdAt in 9999', set(db, 'createdAt', '9999-01-01T00:00:00.000Z'), 'secrets[0] "db" createdAt'],
  ['createdAt without milliseconds', set(db, 'createdAt', '2026-01-01T00:00:00Z'), 'secrets[0] "db" createdAt'],
  [
    'a name with an escape',
    set(db, 'name', '\u001b[31mdb'),
    'secrets[0] name: Invalid secret name (not shown: it may be a value)',
  ],
  ['an empty app', set(db, 'app', ''), 'secrets[0] "db" app: Invalid app name'],
  [
    'app absent',
    (m) => {
      delete db(m).app
    },
    'secrets[0] has no app',
  ],
  ['description a number', set(db, 'description', 5), 'secrets[0] "db" description'],
  ['description too long', set(db, 'description', 'x'.repeat(1025)), 'secrets[0] "db" description'],
  ['keys not a list', set(db, 'keys', 'PASSWORD'), 'secrets[0] "db" keys'],
  [
    'a key that is not a key',
    set(db, 'keys', ['1BAD']),
    'secrets[0] "db" keys: Invalid key (not shown: it may be a value)',
  ],
  ['a live secret with deletedAt', set(db, 'deletedAt', '2026-01-01T00:00:00.000Z'), 'secrets[0] "db" deletedAt'],
  ['an unknown field', set(db, 'extra', 1), 'secrets[0] has an unknown field "extra"'],
  ['the same secret twice', (m) => void m.secrets.push(db(m)), 'secret "db" appears twice'],
  ['a deleted secret without deletedAt', set((m) => m.deleted[0], 'deletedAt', null), 'deleted[0] "gone" deletedAt'],
  ['a deleted secret at version 2^53', set((m) => m.deleted[0], 'version', 2 ** 53), 'deleted[0] "gone" version'],
  [
    'an unknown audit event',
    set(firstAudit, 'event', 'secret.exfiltrated'),
    'audit[0] event: Unknown event "secret.exfiltrated"',
  ],
  [
    'an audit event with an escape',
    set(firstAudit, 'event', 'store.\u001b[2J'),
    'audit[0] event: Unknown event "store.\\u001b[2J"',
  ],
  ['an audit event that is not text', set(firstAudit, 'event', {}), 'audit[0] event: Unknown event'],
  ['an audit secret that is an object', set(firstAudit, 'secret', {}), 'secret: Invalid secret name'],
  [
    'an audit secret with a bad name',
    set(firstAudit, 'secret', '../db'),
    'audit[0] "secret.created" secret: Invalid secret name (not shown',
  ],
  [
    'a secret event without a secret',
    set(firstAudit, 'secret', null),
    'audit[0] "secret.created" secret: Invalid secret name (not shown',
  ],
  ['an audit time not a date', set(firstAudit, 'at', 'yesterday'), 'at: Invalid time "yesterday"'],
  ['an audit version 2^53', set(firstAudit, 'version', 2 ** 53), 'version: Invalid version'],
  ['audit keys of numbers', set(firstAudit, 'keys', [1]), 'audit[0] "secret.created" keys: Invalid key (not shown'],
  ['audit keys not a list', set(firstAudit, 'keys', null), 'keys: Keys are a list'],
  [
    'a secret event naming a deployment',
    set(firstAudit, 'deployment', 'd-0123abcd'),
    'deployment: A secret event names no deployment',
  ],
  [
    'a bad deployment id',
    (m) => deployment(m, {event: 'deployment.submitted', deployment: '../../x'}),
    'deployment: Invalid deployment id "../../x"',
  ],
  [
    'a deployment event without one',
    (m) => deployment(m, {event: 'deployment.terminated', secret: null, keys: [], version: null, deployment: null}),
    'deployment: Invalid deployment id "null"',
  ],
  [
    'an app without a secret',
    (m) => void m.audit.push({...firstAudit(m), event: 'store.sealed', secret: null, version: null, app: 'web'}),
    'app: An event without a secret has no app',
  ],
  [
    'a negative count',
    (m) =>
      void m.audit.push({
        at: firstAudit(m).at,
        event: 'store.restored',
        secret: null,
        keys: [],
        version: null,
        deployment: null,
        counts: {added: -1},
      }),
    'counts: Invalid count "-1"',
  ],
  ['counts on a secret event', set(firstAudit, 'counts', {added: 1}), 'counts: Counts go with store events'],
  ['an unknown audit field', set(firstAudit, 'who', 'me'), 'audit[0] has an unknown field "who"'],
  [
    'unknown metadata',
    set((m) => m as unknown as Row, 'deployments', []),
    'its metadata has an unknown field "deployments"',
  ],
]

/** What the store holds, read in-process from its agent: its secrets (deleted too) and audit events. */
async function storeState(): Promise<{secrets: SecretInfo[]; events: string[]}> {
  const listed = await runAgainstStore(target, SecretsList, ['--include-deleted', '--json'])
  const audit = await runAgainstStore(target, Audit, ['--json'])
  expect([listed.exitCode, audit.exitCode], listed.stderr + audit.stderr).toEqual([0, 0])
  return {
    secrets: JSON.parse(listed.stdout) as SecretInfo[],
    events: (JSON.parse(audit.stdout) as AuditEvent[]).map((e) => e.event),
  }
}

/** The one line of a refused backup. */
function expectRefusal(label: string, result: {exitCode: number; stderr: string}, named: string): void {
  expect(result.exitCode, `${label}: ${result.stderr}`).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines, label).toHaveLength(1)
  expect(lines[0], label).toContain("hush: The backup's content is not valid (")
  expect(lines[0], label).toContain(named)
  expect(lines[0], label).not.toContain('\u001b')
}

describe('restore: every field of a hand-made backup is checked like a live one', () => {
  // Each bad field needs only the agent's answer: `restore`, `backup --verify` and the reads of the
  // store run in-process against the live agent (the same command code and answer, no process
  // start); the binary's own refusal and restore are the two cases after these.
  it.each(bad)('refuses %s with one line naming it; nothing is restored', async (label, edit, named) => {
    const path = join(dir, `${label.replace(/\W+/g, '-')}.backup`)
    writeFileSync(path, craftBackup(edited(edit), real.values))
    const input = {stdin: BACKUP_PASSPHRASE}
    expectRefusal(label, await runAgainstStore(target, Restore, [path], input), named)
    expectRefusal(label, await runAgainstStore(target, Backup, ['--verify', path], input), named)
    const state = await storeState()
    expect(state.secrets).toEqual([])
    expect(state.events).not.toContain('store.restored')
  })

  it('refuses a header whose counts differ from the content (the binary: one line, exit 1)', async () => {
    const path = join(dir, 'counts.backup')
    writeFileSync(path, craftBackup(real.meta, real.values, {secrets: 2}))
    const result = await target.hush(['restore', path], {input: BACKUP_PASSPHRASE})
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim()).toMatch(
      /^hush: The backup's content is not valid \(its header counts 2 secrets, its content 1\)/,
    )
    expect((await storeState()).secrets).toEqual([])
  })

  it('restores a good hand-made backup; rotations after it still increase the version', async () => {
    const good = edited((m) => {
      db(m).version = MAX_VERSION - 1
      db(m).createdAt = '2001-02-03T04:05:06.789Z'
      deployment(m, {event: 'deployment.submitted', keys: ['/run/secrets/PASSWORD'], deployment: 'd-0123abcd'})
    })
    const path = join(dir, 'good.backup')
    writeFileSync(path, craftBackup(good, real.values))
    const restored = await target.json<{added: number; deleted: number; audit: number}>(['restore', path], {
      input: BACKUP_PASSPHRASE,
    })
    expect(restored).toMatchObject({added: 1, deleted: 1, audit: good.audit.length})
    const listed = await target.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed.map((s) => [s.name, s.version, s.createdAt])).toEqual([
      ['db', MAX_VERSION - 1, '2001-02-03T04:05:06.789Z'],
    ])
    const rotated = await target.json<{secret: SecretInfo}>(['secrets', 'rotate', 'db', 'PASSWORD=v3'])
    expect(rotated.secret.version).toBe(MAX_VERSION)
    // The highest version: one more rotation is refused in one line, and nothing changes.
    const past = await target.hush(['secrets', 'rotate', 'db', 'PASSWORD=v4'])
    expect(past.exitCode).toBe(2)
    expect(past.stderr.trim()).toBe(
      `hush: This secret is at version ${MAX_VERSION}, the highest there is: delete it and create it again.`,
    )
    expect((await target.json<SecretInfo[]>(['secrets', 'list']))[0].version).toBe(MAX_VERSION)
    const events = await target.json<AuditEvent[]>(['audit'])
    expect(events.find((e) => e.deployment === 'd-0123abcd')).toMatchObject({
      event: 'deployment.submitted',
      keys: ['/run/secrets/PASSWORD'],
    })
  }, 60_000)
})
