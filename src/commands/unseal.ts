// `hush unseal`: passphrase mode; send the passphrase (sealed) so the agent can open the store, and
// keep the opened key in the kernel keyring so later agents open it without asking.
import type {SealState} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {HushCommand} from '../cli/base.js'
import {readPassphrase} from '../cli/passphrase.js'
import {describeUnlockCache} from '../cli/unlock-cache.js'
import {checkTtlFlag, unlockFlags} from '../cli/unlock-flags.js'

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
    const ttl = checkTtlFlag(flags.ttl)
    const hush = await this.hush()
    const {hello} = await hush.connection()
    if (hello.keyring !== 'passphrase') {
      throw new HushError(
        'wrong_keyring_mode',
        'This store keeps its master key in the OS keyring, so there is nothing to unseal: `hush init --keyring passphrase` switches it to passphrase mode.',
      )
    }
    if (!hello.sealed) {
      this.log(`The store is already unsealed (${describeUnlockCache(hello.unlockCache)}).`)
      return {sealed: false, changed: false, unlockCache: hello.unlockCache}
    }
    const passphrase = await readPassphrase({confirm: false, fd: flags['passphrase-fd'], io: this.io})
    const result = await hush.unseal(passphrase, {ttl}).finally(() => passphrase.fill(0))
    this.log(`Unsealed: ${describeUnlockCache(result.unlockCache)}.`)
    return result
  }
}
