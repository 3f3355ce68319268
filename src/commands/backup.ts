// `hush backup FILE`: the whole store in one file encrypted under a backup passphrase (the agent
// encrypts it; this command only places the bytes), and `--verify FILE` to check one.
import {Args, Flags} from '@oclif/core'
import type {BackupHeader} from '../api/contract.js'
import {checkBackupTarget, describeHeader, readBackupFile, STDIO, writeBackupFile} from '../cli/backup-io.js'
import {HushCommand, usage} from '../cli/base.js'
import {readPassphrase} from '../cli/passphrase.js'
import {readBackupHeader} from '../crypto/backup-file.js'

export interface BackupResult {
  file: string
  header: BackupHeader
  verified?: true
}

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
    if (flags.verify) return this.verify(args.file, flags['passphrase-fd'])
    if (args.file === STDIO && this.jsonEnabled()) throw usage('--json writes to standard output: give a FILE, not -.')
    const warning = checkBackupTarget(args.file, flags.force, this.io)
    if (warning) this.note(warning)
    const hush = await this.hush()
    await hush.connection()
    const passphrase = await readPassphrase({
      confirm: true,
      fd: flags['passphrase-fd'],
      label: 'backup passphrase',
      io: this.io,
    })
    const file = await hush
      .backup(passphrase, {includeDeleted: flags['include-deleted']})
      .finally(() => passphrase.fill(0))
    await writeBackupFile(args.file, file, this.io)
    const where = args.file === STDIO ? 'standard output' : args.file
    const line = `Backed up to ${where} (${describeHeader(readBackupHeader(file).header)}). Keep the backup passphrase apart from the file.`
    if (args.file === STDIO) this.note(line)
    else this.log(line)
    return {file: args.file, header: readBackupHeader(file).header}
  }

  private async verify(file: string, fd: number | undefined): Promise<BackupResult> {
    const bytes = await readBackupFile(file)
    readBackupHeader(bytes)
    const hush = await this.hush()
    await hush.connection()
    const passphrase = await readPassphrase({confirm: false, fd, label: 'backup passphrase', io: this.io})
    const {header} = await hush.verifyBackup(bytes, passphrase).finally(() => passphrase.fill(0))
    this.log(`${file} is intact and opens with this passphrase (${describeHeader(header)}).`)
    return {file, header, verified: true}
  }
}
