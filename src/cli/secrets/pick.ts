// `hush secrets pick`: open the interactive picker and print the `--secret` flags of the selection,
// the same path `hush submit IMAGE --pick` takes, usable to build a command line.
import {checkKey} from '../../api/limits.js'
import {secretFlags} from '../../ui/env-plan.js'
import type {CommandContext} from '../context.js'
import {pickSecrets} from '../pick.js'

export interface PickFlagsOptions {
  /** The `--env` flags the user will pass to submit (KEY or KEY=VALUE): shown as overrides. */
  env: string[]
}

export interface PickOutput {
  secrets: string[]
  /** The secrets switched to files (tab): `--secret-file NAME`. */
  files: string[]
  flags: string[]
}

export async function pickSecretFlags(options: PickFlagsOptions, ctx: CommandContext): Promise<PickOutput> {
  const envKeys = options.env.map((entry) => checkKey(entry.split('=')[0], '--env'))
  const picked = await pickSecrets(
    async () => (await ctx.hush()).listSecrets(),
    envKeys,
    {confirmLabel: 'print', cancelMessage: 'Cancelled: nothing picked.', picker: ctx.picker},
    ctx.io,
  )
  const result = {...picked, flags: secretFlags(picked.secrets, picked.files)}
  ctx.log(result.flags.join(' '))
  return result
}
