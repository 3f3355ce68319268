// `hush restore FILE`: a backup into this store, into an empty store or merged with a conflict
// rule; all or nothing (the agent checks the whole file before writing anything).
import {basename} from 'node:path'
import {Args, Flags} from '@oclif/core'
import type {ConflictRule, RestoreOutput} from '../api/contract.js'
import {describeHeader, readBackupFile} from '../cli/backup-io.js'
import {HushCommand} from '../cli/base.js'
import {confirmDestructive} from '../cli/confirm.js'
import {readPassphrase} from '../cli/passphrase.js'
import {readBackupHeader} from '../crypto/backup-file.js'

export default class Restore extends HushCommand {
  static override summary = 'Restore a backup file into this store (an empty one, or merged).'
  static override description =
    `By default (--into-empty) the store must have no live secret: restore into a new HUSH_HOME, or on a new machine. --merge adds the backup's secrets to the ones here; a secret of the same name and scope is a conflict: --on-conflict fail (default) lists them and changes nothing, skip keeps the one here, replace takes the backup's (confirmed by typing the file name on a terminal, or --yes).
Versions continue: a restored secret keeps its version; one that replaces a live secret gets the larger version + 1. All or nothing: a wrong passphrase or a damaged file changes nothing. The passphrase is read without echo on a terminal, from --passphrase-fd N, or from standard input.`
  static override examples = [
    '<%= config.bin %> restore hush.backup',
    '<%= config.bin %> restore hush.backup --merge --on-conflict skip',
    '<%= config.bin %> restore hush.backup --merge --on-conflict replace --yes --passphrase-fd 3 3< pass-file',
  ]
  static override args = {file: Args.string({description: 'the backup file', required: true, ignoreStdin: true})}
  static override flags = {
    'into-empty': Flags.boolean({
      description: 'restore only into a store with no live secret (default)',
      exclusive: ['merge'],
    }),
    merge: Flags.boolean({description: "add the backup's secrets to this store's"}),
    'on-conflict': Flags.string({
      description: 'with --merge: what to do with a secret that exists in both',
      options: ['skip', 'replace', 'fail'],
      dependsOn: ['merge'],
    }),
    yes: Flags.boolean({description: 'replace without asking (--on-conflict replace)'}),
    'passphrase-fd': Flags.integer({description: 'read the backup passphrase from this file descriptor'}),
  }

  async run(): Promise<RestoreOutput> {
    const {args, flags} = await this.parse(Restore)
    const bytes = await readBackupFile(args.file)
    const {header} = readBackupHeader(bytes)
    const onConflict = (flags['on-conflict'] ?? 'fail') as ConflictRule
    if (flags.merge && onConflict === 'replace') {
      await confirmDestructive(
        {
          action: `replace every live secret here that ${args.file} also holds`,
          expected: basename(args.file),
          yes: flags.yes,
        },
        this.io,
      )
    }
    const hush = await this.hush()
    await hush.connection()
    const passphrase = await readPassphrase({
      confirm: false,
      fd: flags['passphrase-fd'],
      label: 'backup passphrase',
      io: this.io,
    })
    const result = await hush
      .restore(bytes, passphrase, {mode: flags.merge ? 'merge' : 'into-empty', onConflict})
      .finally(() => passphrase.fill(0))
    const parts = [`${result.added} added`]
    if (result.replaced.length > 0) parts.push(`replaced: ${result.replaced.join(', ')}`)
    if (result.skipped.length > 0) parts.push(`kept as they were: ${result.skipped.join(', ')}`)
    if (result.deleted || result.audit)
      parts.push(`${result.deleted} deleted secrets and ${result.audit} audit events added`)
    this.log(`Restored ${args.file} (${describeHeader(header)}): ${parts.join('; ')}.`)
    return result
  }
}
