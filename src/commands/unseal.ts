// `hush unseal`: passphrase mode; send the passphrase (sealed) so the agent can open the store, and
// keep the opened key in the kernel keyring so later agents open it without asking.
import type {SealState} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {unlockFlags} from '../cli/unlock-flags.js'
import {unseal} from '../cli/unseal.js'

export default class Unseal extends HushCommand {
  static override summary =
    'Open a passphrase-mode store, once per boot: the agent derives its key from your passphrase.'
  static override description =
    'Reads the passphrase without echo on a terminal, from --passphrase-fd N, or from standard input. The key is then kept in the Linux kernel keyring (never on disk) until reboot, the --ttl, or `hush seal`: an agent started later (idle exit, crash, `daemon stop`) opens the store without asking.'
  static override examples = [
    '<%= config.bin %> unseal',
    '<%= config.bin %> unseal --ttl 12h',
    '<%= config.bin %> unseal --passphrase-fd 3 3< passphrase-file',
    '<%= config.bin %> unseal < passphrase-file',
  ]
  static override flags = {...unlockFlags}

  async run(): Promise<SealState> {
    const {flags} = await this.parse(Unseal)
    return unseal({ttl: flags.ttl, passphraseFd: flags['passphrase-fd']}, this.context())
  }
}
