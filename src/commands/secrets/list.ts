// `hush secrets list`: names, keys, versions, times, users and descriptions. Never a value.
import {Flags} from '@oclif/core'
import type {SecretInfo} from '../../api/contract.js'
import {HushCommand} from '../../cli/base.js'
import {ago, list, table} from '../../ui/render.js'

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
    const secrets = await (await this.hush()).listSecrets({
      includeDeleted: flags['include-deleted'],
      app: flags.app,
      shared: flags.shared,
    })
    if (this.jsonEnabled()) return secrets
    if (secrets.length === 0) {
      this.log('No secrets yet. Create one with: hush secrets new NAME --from-stdin KEY')
      return secrets
    }
    const head = ['NAME', 'SCOPE', 'KEYS', 'VERSION', 'UPDATED', 'USED BY', 'DESCRIPTION']
    if (flags['include-deleted']) head.push('DELETED')
    const rows = secrets.map((secret) => {
      const row = [
        secret.name,
        secret.app ? `app ${secret.app}` : 'shared',
        secret.keys.join(','),
        String(secret.version),
        ago(secret.updatedAt),
        list(secret.usedBy),
        secret.description,
      ]
      if (flags['include-deleted']) row.push(secret.deletedAt ? ago(secret.deletedAt) : '')
      return row
    })
    this.log(await table(head, rows))
    return secrets
  }
}
