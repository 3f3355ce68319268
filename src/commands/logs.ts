// `hush logs ID [--follow]`: the container's output with every injected secret value shown as ***.
import {Args, Flags} from '@oclif/core'
import {HushCommand} from '../cli/base.js'
import {logs} from '../cli/deployments.js'

export default class Logs extends HushCommand {
  static override summary = 'Print a deployment’s output, every injected secret value replaced by ***.'
  static override examples = ['<%= config.bin %> logs d-1a2b3c4d', '<%= config.bin %> logs d-1a2b3c4d --follow']
  static override enableJsonFlag = false
  static override args = {id: Args.string({description: 'deployment id or name', required: true, ignoreStdin: true})}
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'keep printing until the container stops'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs)
    await logs(this.context(), args.id, flags.follow)
  }
}
