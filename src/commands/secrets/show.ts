// `hush secrets show NAME`: one secret in full (scope, keys, versions, times, the deployments that
// run it and which version each runs, deleted or not). Never a value.
import {Args, Flags} from '@oclif/core'
import type {SecretDetail} from '../../api/contract.js'
import {HushCommand} from '../../cli/base.js'
import {showSecret} from '../../cli/secrets/show.js'

export default class SecretsShow extends HushCommand {
  static override summary = 'Show one secret: keys, version, times and the deployments using it, never a value.'
  static override examples = [
    '<%= config.bin %> secrets show hf',
    '<%= config.bin %> secrets show db --app api --json',
    '<%= config.bin %> secrets show old --include-deleted',
  ]
  static override args = {name: Args.string({description: 'secret name', required: true, ignoreStdin: true})}
  static override flags = {
    app: Flags.string({description: 'the secret scoped to APP (without it: the shared one)'}),
    'include-deleted': Flags.boolean({description: 'with no live secret of that name, show its latest deleted one'}),
  }

  async run(): Promise<SecretDetail> {
    const {args, flags} = await this.parse(SecretsShow)
    return showSecret({name: args.name, app: flags.app, includeDeleted: flags['include-deleted']}, this.context())
  }
}
