// `hush status [ID]`: deployments with their state read from docker; one in full with ID.
import {Args} from '@oclif/core'
import type {DeploymentInfo} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {status} from '../cli/status.js'

export default class Status extends HushCommand {
  static override summary = 'List deployments (state read from docker), or show one in full.'
  static override description =
    'STALE marks a deployment whose secret changed since it started: `hush resubmit ID` gives it the new values.'
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status d-1a2b3c4d',
    '<%= config.bin %> status --json',
  ]
  static override args = {id: Args.string({description: 'deployment id or name', ignoreStdin: true})}

  async run(): Promise<DeploymentInfo | DeploymentInfo[]> {
    const {args} = await this.parse(Status)
    return status(this.context(), args.id)
  }
}
