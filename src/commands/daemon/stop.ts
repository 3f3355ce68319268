// `hush daemon stop`: ask the agent to stop and wait until it has. Running containers are not touched.
import {routes} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {HushCommand} from '../../cli/base.js'
import {type Connection, connectAgent, waitUntilGone} from '../../client/connect.js'

export default class DaemonStop extends HushCommand {
  static override summary = 'Stop the hush agent. Containers it launched keep running.'
  static override examples = ['<%= config.bin %> daemon stop']

  async run(): Promise<{stopped: boolean; pid?: number}> {
    await this.parse(DaemonStop)
    let connection: Connection
    try {
      connection = await connectAgent(this.paths, {start: false})
    } catch (error) {
      if (error instanceof HushError && error.code === 'daemon_unreachable') {
        this.log('hush agent is not running.')
        return {stopped: false}
      }
      throw error
    }
    const {client, hello} = connection
    try {
      await client.call(routes.shutdown, {})
      await waitUntilGone(client)
    } finally {
      await client.close()
    }
    this.log(`hush agent stopped (pid ${hello.pid}).`)
    return {stopped: true, pid: hello.pid}
  }
}
