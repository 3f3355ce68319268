// `hush restore FILE`: a backup into this store, into an empty store or merged with a conflict
// rule; all or nothing (the agent checks the whole file before writing anything).
import {basename} from 'node:path'
import type {ConflictRule, RestoreOutput} from '../api/contract.js'
import {readBackupHeader} from '../crypto/backup-file.js'
import {describeHeader, readBackupFile} from './backup-io.js'
import {confirmDestructive} from './confirm.js'
import type {CommandContext} from './context.js'
import {readPassphrase} from './passphrase.js'

export interface RestoreOptions {
  file: string
  /** Add the backup's secrets to this store's (else: into an empty store only). */
  merge: boolean
  /** With `merge`: a secret in both (default fail). */
  onConflict?: ConflictRule
  /** Replace without asking. */
  yes: boolean
  passphraseFd?: number
}

export async function restore(options: RestoreOptions, ctx: CommandContext): Promise<RestoreOutput> {
  const {file} = options
  const bytes = await readBackupFile(file)
  const {header} = readBackupHeader(bytes)
  const onConflict = options.onConflict ?? 'fail'
  if (options.merge && onConflict === 'replace') {
    await confirmDestructive(
      {action: `replace every live secret here that ${file} also holds`, expected: basename(file), yes: options.yes},
      ctx.io,
    )
  }
  const hush = await ctx.hush()
  await hush.connection()
  const passphrase = await readPassphrase({
    confirm: false,
    fd: options.passphraseFd,
    label: 'backup passphrase',
    io: ctx.io,
  })
  const result = await hush
    .restore(bytes, passphrase, {mode: options.merge ? 'merge' : 'into-empty', onConflict})
    .finally(() => passphrase.fill(0))
  const parts = [`${result.added} added`]
  if (result.replaced.length > 0) parts.push(`replaced: ${result.replaced.join(', ')}`)
  if (result.skipped.length > 0) parts.push(`kept as they were: ${result.skipped.join(', ')}`)
  if (result.deleted || result.audit)
    parts.push(`${result.deleted} deleted secrets and ${result.audit} audit events added`)
  ctx.log(`Restored ${file} (${describeHeader(header)}): ${parts.join('; ')}.`)
  return result
}
