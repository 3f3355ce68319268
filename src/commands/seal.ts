// `hush seal`: passphrase mode; the kernel keyring's entry is removed and the agent wipes the
// store's key from memory at once.
import type {SealState} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {seal} from '../cli/seal.js'

export default class Seal extends HushCommand {
  static override summary = "Seal a passphrase-mode store: drop its key from the kernel keyring and the agent's memory."
  static override description =
    'Secret and deploy commands then answer `sealed` until `hush unseal`. An agent is started when none runs, because the key may still be in the kernel keyring.'
  static override examples = ['<%= config.bin %> seal']

  async run(): Promise<SealState> {
    await this.parse(Seal)
    return seal(this.context())
  }
}
