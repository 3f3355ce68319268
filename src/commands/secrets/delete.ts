// `hush secrets delete NAME`: soft delete; refused while a live deployment uses the secret.
import {Args, Flags} from '@oclif/core'
import type {DeleteSecretOutput} from '../../api/contract.js'
import {HushCommand} from '../../cli/base.js'
import {deleteSecret} from '../../cli/secrets/delete.js'

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
    return deleteSecret({name: args.name, app: flags.app, force: flags.force, yes: flags.yes}, this.context())
  }
}
