// `hush secrets delete NAME`: soft delete; refused while a live deployment uses the secret.
import type {DeleteSecretOutput} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {confirmDestructive} from '../confirm.js'
import type {CommandContext} from '../context.js'

export interface DeleteOptions {
  name: string
  app?: string
  /** Delete even while live deployments use it (confirmed on a terminal, or by `yes`). */
  force: boolean
  yes: boolean
}

export async function deleteSecret(options: DeleteOptions, ctx: CommandContext): Promise<DeleteSecretOutput> {
  const {name, app} = options
  const hush = await ctx.hush()
  // Without --force first: a secret nobody uses goes at once, and one in use is only deleted
  // once the user confirmed (or gave --yes), naming the deployments that keep its values.
  const result = await hush.deleteSecret(name, {app}).catch(async (error: unknown) => {
    if (!(options.force && error instanceof HushError && error.code === 'secret_in_use')) throw error
    const users = Array.isArray(error.details.deployments) ? error.details.deployments : []
    await confirmDestructive(
      {
        action: `delete secret ${name}${app ? ` of app ${app}` : ''}, used by live deployment${users.length === 1 ? '' : 's'} ${users.join(', ')}`,
        expected: name,
        yes: options.yes,
      },
      ctx.io,
    )
    return hush.deleteSecret(name, {app, force: true})
  })
  ctx.log(
    `Deleted secret ${result.secret.name}${result.secret.app ? ` for app ${result.secret.app}` : ''} (version ${result.secret.version}). The name is free again.`,
  )
  if (result.forcedDeployments.length > 0) {
    ctx.log(
      `Still running with its old values: ${result.forcedDeployments.join(', ')}. Their next resubmit will fail until the secret exists again.`,
    )
  }
  return result
}
