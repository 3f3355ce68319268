// `hush terminate ID`: stop and remove the deployment's container; state terminated.
import {Args, Flags} from '@oclif/core'
import type {DeploymentInfo} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {terminate} from '../cli/deployments.js'

export default class Terminate extends HushCommand {
  static override summary = 'Stop and remove a deployment’s container.'
  static override description =
    'The container gets SIGTERM, then SIGKILL after the grace period (like `docker stop`), and is removed with its logs. A Swarm service is removed (`docker service rm`) with every hush Swarm secret no other service uses.'
  static override examples = [
    '<%= config.bin %> terminate d-1a2b3c4d',
    '<%= config.bin %> terminate d-1a2b3c4d --grace 0',
  ]
  static override args = {id: Args.string({description: 'deployment id or name', required: true, ignoreStdin: true})}
  static override flags = {
    grace: Flags.integer({description: 'seconds between SIGTERM and SIGKILL', default: 10, min: 0, max: 3600}),
  }

  async run(): Promise<DeploymentInfo> {
    const {args, flags} = await this.parse(Terminate)
    return terminate(this.context(), args.id, flags.grace)
  }
}
