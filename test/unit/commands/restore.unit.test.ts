// `hush restore` in-process: the file and the backup passphrase (sent sealed) to the agent, into an
// empty store or merged, replace confirmed (typed name on a terminal, --yes without one), what
// was restored in one line, and every refusal before anything is read or sent.
import {mkdtempSync, openSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import type {RestoreOutput} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import Restore from '../../../src/commands/restore.js'
import {readBackupHeader} from '../../../src/crypto/backup-file.js'
import {BACKUP_PASSPHRASE, craftBackup} from '../../support/backup-tools.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const FILE = craftBackup({secrets: [{name: 'hf'}, {name: 'db'}], deleted: [], audit: []}, [])
const HEADER = readBackupHeader(FILE).header
const ABOUT = `format 1, hush ${HEADER.hush}, created ${HEADER.createdAt}: 2 secrets, 0 values`
const opened: string[] = []

const agent = inProcessAgent(({record, open}) => ({
  restore: (input) => {
    const passphrase = open(input.passphrase, 'passphrase')
    opened.push(passphrase)
    const same = Buffer.from(input.file, 'base64').equals(FILE)
    record('restore', {...input, file: same ? '(the file)' : '(other bytes)', passphrase: '(sealed)'})
    if (passphrase !== BACKUP_PASSPHRASE) throw new HushError('wrong_passphrase', 'Wrong backup passphrase.')
    const result: RestoreOutput = {header: HEADER, added: 2, replaced: [], skipped: [], deleted: 0, audit: 0}
    if (input.onConflict === 'skip') return {...result, added: 1, skipped: ['db (app api)']}
    if (input.onConflict === 'replace') return {...result, added: 1, replaced: ['db (app api)']}
    return input.mode === 'merge' ? {...result, deleted: 1, audit: 4} : result
  },
}))

const dir = mkdtempSync(join(tmpdir(), 'hush-restore-unit-'))
const BACKUP = join(dir, 'hush.backup')
writeFileSync(BACKUP, FILE)
writeFileSync(join(dir, 'not-a-backup'), 'hello\n')
afterEach(() => {
  opened.length = 0
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const restored = (input: object) => [
  {route: 'restore', input: {file: '(the file)', passphrase: '(sealed)', mode: 'into-empty', ...input}},
]
const WITH_PASSPHRASE = {stdin: `${BACKUP_PASSPHRASE}\n`}

describe('hush restore', () => {
  const cases: CommandCase[] = [
    {
      name: 'into an empty store (the default)',
      argv: [BACKUP],
      run: WITH_PASSPHRASE,
      stdout: `Restored ${BACKUP} (${ABOUT}): 2 added.\n`,
      received: restored({}),
    },
    {
      name: '--merge: fail on a conflict by default; deleted secrets and audit events said',
      argv: [BACKUP, '--merge'],
      run: WITH_PASSPHRASE,
      stdout: `Restored ${BACKUP} (${ABOUT}): 2 added; 1 deleted secrets and 4 audit events added.\n`,
      received: restored({mode: 'merge', onConflict: 'fail'}),
    },
    {
      name: '--merge --on-conflict skip keeps the one here',
      argv: [BACKUP, '--merge', '--on-conflict', 'skip'],
      run: WITH_PASSPHRASE,
      stdout: `Restored ${BACKUP} (${ABOUT}): 1 added; kept as they were: db (app api).\n`,
      received: restored({mode: 'merge', onConflict: 'skip'}),
    },
    {
      name: '--on-conflict replace with --yes',
      argv: [BACKUP, '--merge', '--on-conflict', 'replace', '--yes'],
      run: WITH_PASSPHRASE,
      stdout: `Restored ${BACKUP} (${ABOUT}): 1 added; replaced: db (app api).\n`,
      received: restored({mode: 'merge', onConflict: 'replace'}),
    },
    {
      name: 'a wrong passphrase: the agent’s line, exit 1',
      argv: [BACKUP],
      run: {stdin: 'not the passphrase'},
      stdout: '',
      stderr: 'hush: Wrong backup passphrase.\n',
      exitCode: 1,
      received: restored({}),
    },
    {
      name: 'a file that is no backup: exit 1, no passphrase read',
      argv: [join(dir, 'not-a-backup')],
      run: WITH_PASSPHRASE,
      stdout: '',
      stderr: 'hush: This file is not a hush backup (no hush-backup header): check the path.\n',
      exitCode: 1,
    },
  ]
  it.each(cases)('$name', async (row) => {
    const outcome = await agent.check(Restore, row)
    expect(outcome.stdout + outcome.stderr).not.toContain(BACKUP_PASSPHRASE)
  })

  it('--on-conflict replace on a terminal goes ahead once the file’s name is typed', async () => {
    const file = join(dir, 'passphrase')
    writeFileSync(file, BACKUP_PASSPHRASE)
    const fd = openSync(file, 'r')
    await agent.check(Restore, {
      name: 'typed',
      argv: [BACKUP, '--merge', '--on-conflict', 'replace', '--passphrase-fd', String(fd)],
      run: {stdin: 'hush.backup\n', isTTY: {stdin: true, stderr: true}},
      stdout: /: 1 added; replaced: db \(app api\)\.\n$/,
      stderr: `This will replace every live secret here that ${BACKUP} also holds. Type hush.backup to go ahead: `,
      received: restored({mode: 'merge', onConflict: 'replace'}),
    })
    expect(opened).toEqual([BACKUP_PASSPHRASE])
  })

  const refused: CommandCase[] = [
    {
      name: '--on-conflict replace with no terminal and no --yes',
      argv: [BACKUP, '--merge', '--on-conflict', 'replace'],
      run: WITH_PASSPHRASE,
      stderr: `hush: This would replace every live secret here that ${BACKUP} also holds: with no terminal to confirm on, add --yes.\n`,
    },
    {
      name: '--on-conflict without --merge',
      argv: [BACKUP, '--on-conflict', 'skip'],
      stderr: /^hush: All of the following must be provided when using --on-conflict: --merge \(see --help\)\.\n$/,
    },
    {
      name: '--into-empty with --merge',
      argv: [BACKUP, '--into-empty', '--merge'],
      stderr: /^hush: --merge=true cannot also be provided when using --into-empty \(see --help\)\.\n$/,
    },
    {
      name: 'an unknown conflict rule',
      argv: [BACKUP, '--merge', '--on-conflict', 'newest'],
      stderr: 'hush: Expected --on-conflict=newest to be one of: skip, replace, fail (see --help).\n',
    },
    {
      name: 'no such file',
      argv: [join(dir, 'missing.backup')],
      stderr: `hush: No file ${join(dir, 'missing.backup')}: check the path of the backup.\n`,
    },
    {
      name: '- (standard input carries the passphrase)',
      argv: ['-'],
      stderr: 'hush: Give the backup as a file path (standard input carries the passphrase).\n',
    },
    {name: 'an empty passphrase', argv: [BACKUP], run: {stdin: ''}, stderr: /^hush: No passphrase on standard input: /},
    {name: 'no FILE', argv: [], stderr: /^hush: Missing 1 required arg:/},
  ]
  it.each(refused)('refuses $name: exit 2, one line, nothing sent', async (row) => {
    await agent.check(Restore, {stdout: '', exitCode: 2, ...row})
    expect(opened).toEqual([])
  })

  it('--json prints the agent’s answer', async () => {
    const {stdout} = await agent.check(Restore, {
      name: 'json',
      argv: [BACKUP, '--json'],
      run: WITH_PASSPHRASE,
      received: restored({}),
    })
    expect(JSON.parse(stdout)).toEqual({header: HEADER, added: 2, replaced: [], skipped: [], deleted: 0, audit: 0})
  })
})
