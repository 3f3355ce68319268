// `hush backup FILE`: the whole store in one file encrypted under a backup passphrase (the agent
// encrypts it; this command only places the bytes), and `--verify FILE` to check one.
import {Args, Flags} from '@oclif/core'
import {type BackupResult, backup} from '../cli/backup.js'
import {HushCommand} from '../cli/base.js'

export default class Backup extends HushCommand {
  static override summary = 'Write every secret into one file encrypted under a backup passphrase.'
  static override description =
    `The file holds every live secret (name, scope, keys, values, version, description, times); --include-deleted adds the deleted secrets' metadata and the audit trail. It is encrypted and authenticated as a whole (Argon2id, XChaCha20-Poly1305 secretstream) under a backup passphrase asked twice on a terminal, or read from --passphrase-fd N (or standard input). Its header (format, hush version, time, counts) is readable without the passphrase: \`head -2 FILE\`.
Anyone with the file and the passphrase can read every value: choose a strong passphrase and keep the two apart.
--verify FILE checks the passphrase and every byte of a backup and changes nothing.`
  static override examples = [
    '<%= config.bin %> backup ~/hush.backup',
    '<%= config.bin %> backup ~/hush.backup --include-deleted --force',
    '<%= config.bin %> backup - --passphrase-fd 3 3< pass-file > hush.backup',
    '<%= config.bin %> backup --verify ~/hush.backup',
  ]
  static override args = {
    file: Args.string({description: 'the backup file (- for standard output)', required: true, ignoreStdin: true}),
  }
  static override flags = {
    'include-deleted': Flags.boolean({description: "add deleted secrets' metadata and the audit trail"}),
    force: Flags.boolean({description: 'replace FILE if it exists'}),
    verify: Flags.boolean({
      description: 'check FILE (passphrase, every byte) instead of writing one',
      exclusive: ['force', 'include-deleted'],
    }),
    'passphrase-fd': Flags.integer({description: 'read the backup passphrase from this file descriptor'}),
  }

  async run(): Promise<BackupResult> {
    const {args, flags} = await this.parse(Backup)
    return backup(
      {
        file: args.file,
        includeDeleted: flags['include-deleted'],
        force: flags.force,
        verify: flags.verify,
        passphraseFd: flags['passphrase-fd'],
      },
      this.context(),
    )
  }
}
