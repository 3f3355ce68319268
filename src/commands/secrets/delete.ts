// `hush secrets delete NAME`: soft delete; refused while a live deployment uses the secret.
import {Args, Flags} from '@oclif/core'
import type {DeleteSecretOutput} from '../../api/contract.js'
import {HushCommand} from '../../cli/base.js'

export default class SecretsDelete extends HushCommand {
  static override summary = 'Delete a secret: its values are destroyed, its metadata kept for the audit.'
  static override description =
    'Refused while a live deployment references the secret. With --force, running containers keep the values they have, and the next resubmit of such a deployment fails.'
  static override examples = [
    '<%= config.bin %> secrets delete hf',
    '<%= config.bin %> secrets delete hf --force',
    '<%= config.bin %> secrets delete db --app api',
  ]
  static override args = {name: Args.string({description: 'secret name', required: true, ignoreStdin: true})}
  static override flags = {
    force: Flags.boolean({description: 'delete even while live deployments use it'}),
    app: Flags.string({description: 'delete the secret scoped to APP (without it: the shared one)'}),
  }

  async run(): Promise<DeleteSecretOutput> {
    const {args, flags} = await this.parse(SecretsDelete)
    const result = await (await this.hush()).deleteSecret(args.name, {app: flags.app, force: flags.force})
    this.log(
      `Deleted secret ${result.secret.name}${result.secret.app ? ` for app ${result.secret.app}` : ''} (version ${result.secret.version}). The name is free again.`,
    )
    if (result.forcedDeployments.length > 0) {
      this.log(
        `Still running with its old values: ${result.forcedDeployments.join(', ')}. Their next resubmit will fail until the secret exists again.`,
      )
    }
    return result
  }
}
