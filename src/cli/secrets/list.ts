// `hush secrets list`: names, keys, versions, times, users and descriptions. Never a value.
import type {SecretInfo} from '../../api/contract.js'
import {ago, list, table} from '../../ui/render.js'
import type {CommandContext} from '../context.js'

export interface ListOptions {
  includeDeleted: boolean
  app?: string
  shared: boolean
}

export async function listSecrets(options: ListOptions, ctx: CommandContext): Promise<SecretInfo[]> {
  const secrets = await (await ctx.hush()).listSecrets({
    includeDeleted: options.includeDeleted,
    app: options.app,
    shared: options.shared,
  })
  if (ctx.json) return secrets
  if (secrets.length === 0) {
    ctx.log('No secrets yet. Create one with: hush secrets new NAME --from-stdin KEY')
    return secrets
  }
  const head = ['NAME', 'SCOPE', 'KEYS', 'VERSION', 'UPDATED', 'USED BY', 'DESCRIPTION']
  if (options.includeDeleted) head.push('DELETED')
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
    if (options.includeDeleted) row.push(secret.deletedAt ? ago(secret.deletedAt) : '')
    return row
  })
  ctx.log(await table(head, rows))
  return secrets
}
