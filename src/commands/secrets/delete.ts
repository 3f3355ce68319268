// `hush secrets delete NAME`: soft delete; refused while a live deployment uses the secret.
import {Args, Flags} from '@oclif/core'
import type {DeleteSecretOutput} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {HushCommand} from '../../cli/base.js'
import {confirmDestructive} from '../../cli/confirm.js'

export default class SecretsDelete extends HushCommand {
  static override summary = 'Delete a secret: its values are destroyed, its metadata kept for the audit.'
  static override description =
    'Refused while a live deployment references the secret. With --force, running containers keep the values they have, and the next resubmit of such a deployment fails. Forcing the delete of a secret in use asks to type its name on a terminal (--yes skips the question; without a terminal --yes is required).'
  static override examples = [
    '<%= config.bin %> secrets delete hf',
    '<%= config.bin %> secrets delete hf --force',
    '<%= config.bin %> secrets delete hf --force --yes',
    '<%= config.bin %> secrets delete db --app api',
  ]
  static override args = {name: Args.string({description: 'secret name', required: true, ignoreStdin: true})}
  static override flags = {
    force: Flags.boolean({description: 'delete even while live deployments use it'}),
    yes: Flags.boolean({description: 'with --force, do not ask to confirm the delete of a secret in use'}),
    app: Flags.string({description: 'delete the secret scoped to APP (without it: the shared one)'}),
  }

  async run(): Promise<DeleteSecretOutput> {
    const {args, flags} = await this.parse(SecretsDelete)
    const hush = await this.hush()
    // Without --force first: a secret nobody uses goes at once, and one in use is only deleted
    // once the user confirmed (or gave --yes), naming the deployments that keep its values.
    const result = await hush.deleteSecret(args.name, {app: flags.app}).catch(async (error: unknown) => {
      if (!(flags.force && error instanceof HushError && error.code === 'secret_in_use')) throw error
      const users = Array.isArray(error.details.deployments) ? error.details.deployments : []
      await confirmDestructive(
        {
          action: `delete secret ${args.name}${flags.app ? ` of app ${flags.app}` : ''}, used by live deployment${users.length === 1 ? '' : 's'} ${users.join(', ')}`,
          expected: args.name,
          yes: flags.yes,
        },
        this.io,
      )
      return hush.deleteSecret(args.name, {app: flags.app, force: true})
    })
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
