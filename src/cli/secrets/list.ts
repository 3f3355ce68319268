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
  if (!ctx.json) ctx.log(await secretsText(secrets, options.includeDeleted))
  return secrets
}

/** What `secrets list` shows people: the table, or how to make a first secret (the lean route's too). */
export async function secretsText(secrets: SecretInfo[], includeDeleted: boolean): Promise<string> {
  if (secrets.length === 0) return 'No secrets yet. Create one with: hush secrets new NAME --from-stdin KEY'
  const head = ['NAME', 'SCOPE', 'KEYS', 'VERSION', 'UPDATED', 'USED BY', 'DESCRIPTION']
  if (includeDeleted) head.push('DELETED')
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
    if (includeDeleted) row.push(secret.deletedAt ? ago(secret.deletedAt) : '')
    return row
  })
  return table(head, rows)
}
