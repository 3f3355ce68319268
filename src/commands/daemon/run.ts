// `hush daemon run`: the agent in the foreground (the CLI starts it detached the same way).
import {Flags} from '@oclif/core'
import {HushCommand} from '../../cli/base.js'
import {idleTimeoutSeconds} from '../../cli/daemon.js'

export default class DaemonRun extends HushCommand {
  static override summary = 'Run the hush agent in the foreground.'
  static override description =
    'Other commands start the agent on demand; use this to watch its log. It exits after the idle timeout (HUSH_IDLE_TIMEOUT seconds, or the idleTimeoutSeconds preference; 0 disables).'
  static override examples = ['<%= config.bin %> daemon run', 'HUSH_IDLE_TIMEOUT=0 <%= config.bin %> daemon run']
  static override enableJsonFlag = false
  static override flags = {
    'idle-timeout': Flags.integer({description: 'seconds without a request before the agent exits (0: never)', min: 0}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(DaemonRun)
    const seconds = await idleTimeoutSeconds(this.context(), flags['idle-timeout'])
    const {runAgent} = await import('../../daemon/main.js')
    await runAgent(this.paths, {idleTimeoutMs: seconds * 1000})
  }
}
