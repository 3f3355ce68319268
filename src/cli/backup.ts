// `hush backup FILE`: the whole store in one file encrypted under a backup passphrase (the agent
// seals it; this only places the bytes, cli/backup-io.ts), and `--verify FILE` to check one.
import type {BackupHeader} from '../api/contract.js'
import {readBackupHeader} from '../crypto/backup-file.js'
import {checkBackupTarget, describeHeader, readBackupFile, STDIO, writeBackupFile} from './backup-io.js'
import {usage} from './base.js'
import type {CommandContext} from './context.js'
import {readPassphrase} from './passphrase.js'

export interface BackupOptions {
  /** The backup file; `-` is standard output. */
  file: string
  includeDeleted: boolean
  /** Replace FILE if it exists. */
  force: boolean
  /** Check FILE instead of writing one. */
  verify: boolean
  passphraseFd?: number
}

export interface BackupResult {
  file: string
  header: BackupHeader
  verified?: true
}

export async function backup(options: BackupOptions, ctx: CommandContext): Promise<BackupResult> {
  const {file: target} = options
  if (options.verify) return verify(target, options.passphraseFd, ctx)
  if (target === STDIO && ctx.json) throw usage('--json writes to standard output: give a FILE, not -.')
  const warning = checkBackupTarget(target, options.force, ctx.io)
  if (warning) ctx.note(warning)
  const hush = await ctx.hush()
  await hush.connection()
  const passphrase = await readPassphrase({
    confirm: true,
    fd: options.passphraseFd,
    label: 'backup passphrase',
    io: ctx.io,
  })
  const file = await hush.backup(passphrase, {includeDeleted: options.includeDeleted}).finally(() => passphrase.fill(0))
  await writeBackupFile(target, file, ctx.io)
  const where = target === STDIO ? 'standard output' : target
  const line = `Backed up to ${where} (${describeHeader(readBackupHeader(file).header)}). Keep the backup passphrase apart from the file.`
  if (target === STDIO) ctx.note(line)
  else ctx.log(line)
  return {file: target, header: readBackupHeader(file).header}
}

async function verify(file: string, fd: number | undefined, ctx: CommandContext): Promise<BackupResult> {
  const bytes = await readBackupFile(file)
  readBackupHeader(bytes)
  const hush = await ctx.hush()
  await hush.connection()
  const passphrase = await readPassphrase({confirm: false, fd, label: 'backup passphrase', io: ctx.io})
  const {header} = await hush.verifyBackup(bytes, passphrase).finally(() => passphrase.fill(0))
  ctx.log(`${file} is intact and opens with this passphrase (${describeHeader(header)}).`)
  return {file, header, verified: true}
}
