// `hush daemon status`: is the agent running, where is its socket, how is the master key kept.
import type {Hello} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {HushCommand} from '../../cli/base.js'
import {connectAgent} from '../../client/connect.js'

type Status = ({running: true} & Hello) | {running: false; socket: string; home: string}

export default class DaemonStatus extends HushCommand {
  static override summary = 'Show whether the hush agent runs, its socket path and its store.'
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json']

  async run(): Promise<Status> {
    await this.parse(DaemonStatus)
    const paths = this.paths
    let hello: Hello
    try {
      const connection = await connectAgent(paths, {start: false})
      hello = connection.hello
      await connection.client.close()
    } catch (error) {
      if (!(error instanceof HushError && error.code === 'daemon_unreachable')) throw error
      this.log(`hush agent: not running\nsocket:     ${paths.socket}\nstore:      ${paths.home}`)
      return {running: false, socket: paths.socket, home: paths.home}
    }
    this.log(
      [
        `hush agent: running (pid ${hello.pid}, version ${hello.version}, since ${hello.startedAt})`,
        `socket:     ${hello.socket}`,
        `store:      ${hello.home}`,
        `master key: ${hello.keyring === 'os' ? `OS keyring (service hush, account ${hello.keyringAccount})` : `passphrase, ${hello.sealed ? 'sealed (run `hush unseal`)' : 'unsealed'}`}`,
      ].join('\n'),
    )
    return {running: true, ...hello}
  }
}
