// `hush secrets new NAME KEY=VALUE...`: create a secret, or replace a live one's whole bundle.
import type {CreateSecretOutput} from '../../api/contract.js'
import type {CommandContext} from '../context.js'
import {collectValues, type ValueSources} from '../values.js'

export interface NewOptions extends ValueSources {
  name: string
  description?: string
  app?: string
}

export async function newSecret(options: NewOptions, ctx: CommandContext): Promise<CreateSecretOutput> {
  const {name, description, app, ...sources} = options
  const values = await collectValues(sources, ctx.io)
  // HushClient boxes the values to the agent's key and wipes them, sent or not.
  const result = await (await ctx.hush()).createSecret(name, values, {app, description})
  const {secret} = result
  ctx.log(
    `${result.replaced ? 'Replaced' : 'Created'} ${secret.app ? `secret ${secret.name} for app ${secret.app}` : `secret ${secret.name}`}: version ${secret.version}, keys ${secret.keys.join(', ')}.`,
  )
  if (result.staleDeployments.length > 0) {
    ctx.log(
      `Still running the old version: ${result.staleDeployments.join(', ')}. Resubmit with: ${result.staleDeployments.map((id) => `hush resubmit ${id}`).join('; ')}`,
    )
  }
  return result
}
