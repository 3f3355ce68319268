// `hush unseal`: passphrase mode; send the passphrase (sealed) so the agent can open the store.
import {routes, type SealState} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {HushCommand} from '../cli/base.js'
import {readPassphrase, withSealedPassphrase} from '../cli/passphrase.js'

export default class Unseal extends HushCommand {
  static override summary = 'Open a passphrase-mode store: the agent derives its key from your passphrase.'
  static override description =
    'Reads the passphrase without echo on a terminal, or from standard input. The agent keeps the key in memory until `hush seal` or until it stops (idle timeout, kill, reboot); a restarted agent is sealed again.'
  static override examples = ['<%= config.bin %> unseal', '<%= config.bin %> unseal < passphrase-file']

  async run(): Promise<SealState> {
    await this.parse(Unseal)
    const connection = await this.agent()
    const {client, hello} = connection
    if (hello.keyring !== 'passphrase') {
      throw new HushError(
        'wrong_keyring_mode',
        'This store keeps its master key in the OS keyring, so there is nothing to unseal: `hush init --keyring passphrase` switches it to passphrase mode.',
      )
    }
    if (!hello.sealed) {
      this.log('The store is already unsealed.')
      return {sealed: false, changed: false}
    }
    const passphrase = await readPassphrase({confirm: false})
    const result = await withSealedPassphrase(connection, passphrase, (sealed) =>
      client.call(routes.unseal, {passphrase: sealed}),
    )
    this.log('Unsealed: secret commands work until `hush seal` or until the agent stops.')
    return result
  }
}
