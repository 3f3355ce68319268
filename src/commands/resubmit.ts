// `hush resubmit ID`: resolve every secret again (fresh values), then replace the container; revision + 1.
import {Args} from '@oclif/core'
import type {ResubmitOutput} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {resubmit} from '../cli/deployments.js'

export default class Resubmit extends HushCommand {
  static override summary = 'Relaunch a deployment with fresh secret values (revision + 1).'
  static override description =
    'Every secret is resolved again by name first; if one is gone, nothing changes and the old container keeps running. Then the old container is replaced by a new one of the same spec. A Swarm service (submit --swarm) gets a rolling update instead, with the new version as new Swarm secrets; if it fails, docker rolls it back, the command exits 1 saying so, and the deployment stays STALE.'
  static override examples = ['<%= config.bin %> resubmit d-1a2b3c4d']
  static override args = {id: Args.string({description: 'deployment id or name', required: true, ignoreStdin: true})}

  async run(): Promise<ResubmitOutput> {
    const {args} = await this.parse(Resubmit)
    return resubmit(this.context(), args.id)
  }
}
