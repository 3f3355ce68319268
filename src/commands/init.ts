// `hush init [--keyring os|passphrase]`: choose where this store's master key comes from. Switching
// mode keeps the data key and only re-wraps it under the new master key.
import {Flags} from '@oclif/core'
import type {InitOutput, KeyringMode} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {init} from '../cli/init.js'
import {unlockFlags} from '../cli/unlock-flags.js'

export default class Init extends HushCommand {
  static override summary = "Choose where this store's master key is kept: the OS keyring or a passphrase."
  static override description =
    `The OS keyring (default) keeps a random master key in the Secret Service (service hush).
Passphrase mode derives it (Argon2id) from a passphrase that is never stored: the agent starts sealed, and \`hush unseal\` opens it. Use it where no keyring answers (headless machines, CI).
The passphrase is read without echo on a terminal (typed twice), from --passphrase-fd N, or from standard input; never from an argument or the environment. The unlocked key is kept in the Linux kernel keyring until reboot (or --ttl, or \`hush seal\`), so later agents open the store without asking. Switching an existing store keeps every secret: only the data key's wrapping changes (a passphrase store must be unsealed first).`
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --keyring passphrase',
    '<%= config.bin %> init --keyring passphrase --passphrase-fd 3 3< passphrase-file',
    '<%= config.bin %> init --keyring passphrase --ttl 12h < passphrase-file',
    '<%= config.bin %> init --change-passphrase',
    '<%= config.bin %> init --rotate-key',
  ]
  static override flags = {
    keyring: Flags.string({
      description: 'where the master key is kept',
      options: ['os', 'passphrase'],
      default: 'os',
    }),
    ...unlockFlags,
    // Key changes (see cli/key-change.ts); --passphrase-fd gives the current passphrase.
    'change-passphrase': Flags.boolean({
      description: 'passphrase mode: set a new passphrase',
      exclusive: ['rotate-key'],
    }),
    'rotate-key': Flags.boolean({description: 'a new data key, every value re-encrypted'}),
    'new-passphrase-fd': Flags.integer({
      description: 'with --change-passphrase: read the new passphrase from this descriptor',
    }),
  }

  async run(): Promise<InitOutput | object> {
    const {flags} = await this.parse(Init)
    return init(
      {
        keyring: flags.keyring as KeyringMode,
        ttl: flags.ttl,
        passphraseFd: flags['passphrase-fd'],
        changePassphrase: flags['change-passphrase'],
        rotateKey: flags['rotate-key'],
        newPassphraseFd: flags['new-passphrase-fd'],
      },
      this.context(),
    )
  }
}
