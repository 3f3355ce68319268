// `hush daemon stop`: ask the agent to stop and wait until it has. Running containers are not touched.
import type {Hello} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {HushCommand} from '../../cli/base.js'

export default class DaemonStop extends HushCommand {
  static override summary = 'Stop the hush agent. Containers it launched keep running.'
  static override examples = ['<%= config.bin %> daemon stop']

  async run(): Promise<{stopped: boolean; pid?: number}> {
    await this.parse(DaemonStop)
    const hush = await this.hush({start: false})
    let hello: Hello
    try {
      hello = (await hush.connection()).hello
    } catch (error) {
      if (error instanceof HushError && error.code === 'daemon_unreachable') {
        this.log('hush agent is not running.')
        return {stopped: false}
      }
      throw error
    }
    await hush.stopAgent()
    this.log(`hush agent stopped (pid ${hello.pid}).`)
    return {stopped: true, pid: hello.pid}
  }
}
