// `hush restore FILE`: a backup into this store, into an empty store or merged with a conflict
// rule; all or nothing (the agent checks the whole file before writing anything).
import {Args, Flags} from '@oclif/core'
import type {ConflictRule, RestoreOutput} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {restore} from '../cli/restore.js'

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
    return restore(
      {
        file: args.file,
        merge: flags.merge,
        onConflict: flags['on-conflict'] as ConflictRule | undefined,
        yes: flags.yes,
        passphraseFd: flags['passphrase-fd'],
      },
      this.context(),
    )
  }
}
