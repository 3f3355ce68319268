// `hush secrets show NAME`: one secret in full (scope, keys, versions, times, the deployments that
// run it and which version each runs, deleted or not). Never a value.
import type {SecretDetail} from '../../api/contract.js'
import {ago, list} from '../../ui/render.js'
import type {CommandContext} from '../context.js'

export interface ShowOptions {
  name: string
  app?: string
  /** With no live secret of that name, its latest deleted one. */
  includeDeleted: boolean
}

export async function showSecret(options: ShowOptions, ctx: CommandContext): Promise<SecretDetail> {
  const secret = await (await ctx.hush()).showSecret(options.name, {
    app: options.app,
    includeDeleted: options.includeDeleted,
  })
  ctx.log(describe(secret))
  return secret
}

function describe(secret: SecretDetail): string {
  const users = secret.deployments.map(
    (d) =>
      `${d.id}${d.name ? ` (${d.name})` : ''} ${d.version === null ? 'starting' : `version ${d.version}`}${d.stale ? ', stale' : ''}`,
  )
  return [
    `name:        ${secret.name}`,
    `scope:       ${secret.app ? `app ${secret.app}` : 'shared'}`,
    `description: ${secret.description || '-'}`,
    `keys:        ${list(secret.keys)}`,
    `version:     ${secret.version}`,
    `created:     ${secret.createdAt} (${ago(secret.createdAt)})`,
    `updated:     ${secret.updatedAt} (${ago(secret.updatedAt)})`,
    `deleted:     ${secret.deletedAt ? `${secret.deletedAt} (${ago(secret.deletedAt)})` : 'no'}`,
    `used by:     ${list(users)}`,
  ].join('\n')
}
