// `hush daemon start`: start the agent in the background if it is not running.
import type {Hello} from '../../api/contract.js'
import {HushCommand} from '../../cli/base.js'
import {daemonStart} from '../../cli/daemon.js'

export default class DaemonStart extends HushCommand {
  static override summary = 'Start the hush agent in the background (other commands do this on demand).'
  static override examples = ['<%= config.bin %> daemon start']

  async run(): Promise<Hello> {
    await this.parse(DaemonStart)
    return daemonStart(this.context())
  }
}
