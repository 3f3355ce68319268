// `hush seal`: passphrase mode; the agent wipes the store's key from memory at once.
import {routes, type SealState} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {HushCommand} from '../cli/base.js'
import {connectAgent} from '../client/connect.js'

export default class Seal extends HushCommand {
  static override summary = "Seal a passphrase-mode store: the agent wipes the store's key from memory."
  static override description = 'Secret and deploy commands then answer `sealed` until `hush unseal`.'
  static override examples = ['<%= config.bin %> seal']

  async run(): Promise<SealState> {
    await this.parse(Seal)
    let connection: Awaited<ReturnType<typeof connectAgent>>
    try {
      connection = await connectAgent(this.paths, {start: false})
    } catch (error) {
      if (!(error instanceof HushError && error.code === 'daemon_unreachable')) throw error
      this.log('The store is sealed: no agent is running (a new one starts sealed).')
      return {sealed: true, changed: false}
    }
    try {
      const result = await connection.client.call(routes.seal, {})
      this.log(result.changed ? 'Sealed: the key is wiped from the agent’s memory.' : 'The store was already sealed.')
      return result
    } finally {
      await connection.client.close()
    }
  }
}
