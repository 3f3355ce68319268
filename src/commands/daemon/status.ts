// `hush daemon status`: is the agent running, where is its socket, where the master key comes from
// (checked now: an OS keyring that does not answer is said so), and how long the store stays unlocked.
import type {EngineStatus, Hello, KeyringStatus} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {HushCommand} from '../../cli/base.js'
import {describeMasterKey} from '../../cli/daemon.js'
import {describeEngine} from '../../cli/engine-match.js'

type Status =
  | ({running: true; keyringStatus: KeyringStatus; engine: EngineStatus} & Hello)
  | {running: false; socket: string; home: string}

export default class DaemonStatus extends HushCommand {
  static override summary =
    'Show whether the hush agent runs, its socket path, its store, where its master key comes from and its docker engine.'
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json']

  async run(): Promise<Status> {
    await this.parse(DaemonStatus)
    const paths = this.paths
    let hello: Hello
    let keyring: KeyringStatus
    let engine: EngineStatus
    try {
      const hush = await this.hush({start: false})
      hello = (await hush.connection()).hello
      keyring = await hush.keyringStatus()
      engine = await hush.engineStatus()
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
        `master key: ${describeMasterKey(hello, keyring)}`,
        `engine:     ${describeEngine(engine)}`,
      ].join('\n'),
    )
    return {running: true, ...hello, keyringStatus: keyring, engine}
  }
}
