// `hush secrets list`: names, keys, versions, times, users and descriptions. Never a value.
import {Flags} from '@oclif/core'
import type {SecretInfo} from '../../api/contract.js'
import {HushCommand} from '../../cli/base.js'
import {listSecrets} from '../../cli/secrets/list.js'

export default class SecretsList extends HushCommand {
  static override summary = 'List secrets: names, keys and metadata, never values.'
  static override examples = [
    '<%= config.bin %> secrets list',
    '<%= config.bin %> secrets list --include-deleted --json',
    '<%= config.bin %> secrets list --app api',
  ]
  static override flags = {
    'include-deleted': Flags.boolean({description: 'also list deleted secrets, with when they were deleted'}),
    app: Flags.string({description: 'only the secrets scoped to APP', exclusive: ['shared']}),
    shared: Flags.boolean({description: 'only the shared secrets (no app scope)'}),
  }

  async run(): Promise<SecretInfo[]> {
    const {flags} = await this.parse(SecretsList)
    return listSecrets({includeDeleted: flags['include-deleted'], app: flags.app, shared: flags.shared}, this.context())
  }
}
