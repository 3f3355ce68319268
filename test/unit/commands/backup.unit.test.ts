// `hush backup` in-process: the file the agent sealed placed whole (0600) or on standard output,
// the backup passphrase sent sealed and never shown, --verify, and the refusals of a target that
// cannot be written, before any passphrase is read or anything sent.
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import type {BackupHeader} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import Backup from '../../../src/commands/backup.js'
import {readBackupHeader} from '../../../src/crypto/backup-file.js'
import {BACKUP_PASSPHRASE, craftBackup} from '../../support/backup-tools.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

/** What the agent seals: a backup of one secret (its value never leaves the agent but in FILE). */
const FILE = craftBackup({secrets: [{name: 'hf'}], deleted: [], audit: []}, [new TextEncoder().encode('hf_value')])
const HEADER: BackupHeader = readBackupHeader(FILE).header
const ABOUT = `format 1, hush ${HEADER.hush}, created ${HEADER.createdAt}: 1 secrets, 1 values`
const opened: string[] = []

const agent = inProcessAgent(({record, open}) => {
  const passphrase = (sealed: string) => {
    const text = open(sealed, 'passphrase')
    opened.push(text)
    if (text !== BACKUP_PASSPHRASE) throw new HushError('wrong_passphrase', 'Wrong backup passphrase.')
    return '(sealed)'
  }
  return {
    backup: (input) => {
      record('backup', {...input, passphrase: passphrase(input.passphrase)})
      return {header: HEADER, file: FILE.toString('base64')}
    },
    verifyBackup: (input) => {
      const same = Buffer.from(input.file, 'base64').equals(FILE)
      record('verifyBackup', {file: same ? '(the file)' : '(other bytes)', passphrase: passphrase(input.passphrase)})
      return {header: HEADER}
    },
  }
})

/** The files of this test (made now: the tables below name them). */
const dir = mkdtempSync(join(tmpdir(), 'hush-backup-unit-'))
beforeAll(() => {
  writeFileSync(join(dir, 'taken'), 'an older file')
  writeFileSync(join(dir, 'kept'), 'an older file')
  writeFileSync(join(dir, 'good.backup'), FILE)
  writeFileSync(join(dir, 'not-a-backup'), 'hello\n')
})
afterEach(() => {
  opened.length = 0
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const at = (name: string) => join(dir, name)
const backedUp = (input: object = {}) => [{route: 'backup', input: {passphrase: '(sealed)', ...input}}]
const WITH_PASSPHRASE = {stdin: `${BACKUP_PASSPHRASE}\n`}

describe('hush backup', () => {
  const written: Array<CommandCase & {file: string}> = [
    {
      name: 'FILE: written whole, private, and said where',
      file: 'one.backup',
      argv: [at('one.backup')],
      run: WITH_PASSPHRASE,
      stdout: `Backed up to ${at('one.backup')} (${ABOUT}). Keep the backup passphrase apart from the file.\n`,
      received: backedUp(),
    },
    {
      name: '--include-deleted goes to the agent',
      file: 'two.backup',
      argv: [at('two.backup'), '--include-deleted'],
      run: WITH_PASSPHRASE,
      stdout: /^Backed up to /,
      received: backedUp({includeDeleted: true}),
    },
    {
      name: '--force replaces a file that exists',
      file: 'taken',
      argv: [at('taken'), '--force'],
      run: WITH_PASSPHRASE,
      stdout: /^Backed up to /,
      received: backedUp(),
    },
  ]
  it.each(written)('$name', async ({file, ...row}) => {
    const outcome = await agent.check(Backup, row)
    expect(readFileSync(at(file)).equals(FILE)).toBe(true)
    expect(statSync(at(file)).mode & 0o777).toBe(0o600)
    expect(opened).toEqual([BACKUP_PASSPHRASE])
    expect(outcome.stdout + outcome.stderr).not.toContain(BACKUP_PASSPHRASE)
  })

  it('- writes the file on standard output, and the line on stderr', async () => {
    const outcome = await agent.check(Backup, {
      name: 'stdout',
      argv: ['-'],
      run: WITH_PASSPHRASE,
      stderr: `Backed up to standard output (${ABOUT}). Keep the backup passphrase apart from the file.\n`,
      received: backedUp(),
    })
    expect(outcome.stdout.startsWith(`hush-backup\n${JSON.stringify(HEADER)}\n`)).toBe(true)
  })

  it('--json prints the file and its header', async () => {
    const {stdout} = await agent.check(Backup, {
      name: 'json',
      argv: [at('three.backup'), '--json'],
      run: WITH_PASSPHRASE,
      received: backedUp(),
    })
    expect(JSON.parse(stdout)).toEqual({file: at('three.backup'), header: HEADER})
  })

  const verified: CommandCase[] = [
    {
      name: '--verify: intact, opens with this passphrase, nothing written',
      argv: ['--verify', at('good.backup')],
      run: WITH_PASSPHRASE,
      stdout: `${at('good.backup')} is intact and opens with this passphrase (${ABOUT}).\n`,
      received: [{route: 'verifyBackup', input: {file: '(the file)', passphrase: '(sealed)'}}],
    },
    {
      name: '--verify with a wrong passphrase: the agent’s line, exit 1',
      argv: ['--verify', at('good.backup')],
      run: {stdin: 'not the passphrase'},
      stdout: '',
      stderr: 'hush: Wrong backup passphrase.\n',
      exitCode: 1,
    },
    {
      name: '--verify of a file that is no backup: exit 1, no passphrase read',
      argv: ['--verify', at('not-a-backup')],
      run: WITH_PASSPHRASE,
      stdout: '',
      stderr: 'hush: This file is not a hush backup (no hush-backup header): check the path.\n',
      exitCode: 1,
    },
    {
      name: '--verify of no file: exit 2',
      argv: ['--verify', at('missing.backup')],
      run: WITH_PASSPHRASE,
      stdout: '',
      stderr: `hush: No file ${at('missing.backup')}: check the path of the backup.\n`,
      exitCode: 2,
    },
  ]
  it.each(verified)('$name', async (row) => {
    await agent.check(Backup, row)
  })

  const refused: CommandCase[] = [
    {
      name: 'a FILE that exists, without --force',
      argv: [at('kept')],
      stderr: `hush: ${at('kept')} already exists: choose another name, or pass --force to replace it.\n`,
    },
    {
      name: 'a FILE in a directory that does not exist',
      argv: [at('nowhere/x.backup')],
      stderr: `hush: The directory ${at('nowhere')} does not exist: create it first, or choose another path.\n`,
    },
    {
      name: '- onto a terminal',
      argv: ['-'],
      run: {...WITH_PASSPHRASE, isTTY: {stdout: true}},
      stderr: 'hush: A backup is binary: redirect standard output to a file (`hush backup - > FILE`).\n',
    },
    {
      name: '- with --json',
      argv: ['-', '--json'],
      run: WITH_PASSPHRASE,
      stdout: '{"error":{"code":"bad_request","message":"--json writes to standard output: give a FILE, not -."}}\n',
    },
    {
      name: '--verify with --force',
      argv: ['--verify', at('good.backup'), '--force'],
      stderr: /^hush: --force=true cannot also be provided when using --verify \(see --help\)\.\n$/,
    },
    {
      name: 'an empty passphrase',
      argv: [at('empty.backup')],
      run: {stdin: '\n'},
      stderr: /^hush: No passphrase on standard input: /,
    },
    {name: 'no FILE', argv: [], stderr: /^hush: Missing 1 required arg:/},
  ]
  it.each(refused)('refuses $name: exit 2, one line, nothing sent', async (row) => {
    await agent.check(Backup, {stdout: '', exitCode: 2, ...row})
    expect(opened).toEqual([])
  })

  it('a refused target is left as it was', () => {
    expect(readFileSync(at('kept'), 'utf8')).toBe('an older file')
    expect(existsSync(at('empty.backup'))).toBe(false)
  })
})
