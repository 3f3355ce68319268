// `hush daemon status`: is the agent running, where is its socket, where the master key comes from
// (checked now: an OS keyring that does not answer is said so), and how long the store stays unlocked.
import {HushCommand} from '../../cli/base.js'
import {type DaemonStatus as DaemonStatusOutput, daemonStatus} from '../../cli/daemon.js'

export default class DaemonStatus extends HushCommand {
  static override summary =
    'Show whether the hush agent runs, its socket path, its store, where its master key comes from and its docker engine.'
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json']

  async run(): Promise<DaemonStatusOutput> {
    await this.parse(DaemonStatus)
    return daemonStatus(this.context())
  }
}
