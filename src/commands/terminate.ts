// `hush terminate ID`: stop and remove the deployment's container; state terminated.
import {Args} from '@oclif/core'
import {type DeploymentInfo, routes} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {specShape} from '../cli/deployments.js'

export default class Terminate extends HushCommand {
  static override summary = 'Stop and remove a deployment’s container.'
  static override examples = ['<%= config.bin %> terminate d-1a2b3c4d']
  static override args = {id: Args.string({description: 'deployment id', required: true, ignoreStdin: true})}

  async run(): Promise<DeploymentInfo> {
    const {args} = await this.parse(Terminate)
    const client = await this.client()
    const result = await client.call(routes.terminate, {id: args.id}, {wait: true})
    this.log(`Terminated ${result.id}: container ${result.containerId?.slice(0, 12) ?? '-'} removed.`)
    return specShape(result)
  }
}
