// `hush daemon stop`: ask the agent to stop and wait until it has. Running containers are not touched.
import {HushCommand} from '../../cli/base.js'
import {daemonStop} from '../../cli/daemon.js'

export default class DaemonStop extends HushCommand {
  static override summary = 'Stop the hush agent. Containers it launched keep running.'
  static override examples = ['<%= config.bin %> daemon stop']

  async run(): Promise<{stopped: boolean; pid?: number}> {
    await this.parse(DaemonStop)
    return daemonStop(this.context())
  }
}
