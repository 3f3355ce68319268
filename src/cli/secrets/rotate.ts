// `hush secrets rotate NAME KEY=VALUE...`: new values for the given keys, the others kept.
import type {RotateSecretOutput} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {checkKey} from '../../api/limits.js'
import {isSession, SESSION_NOT_RESUBMITTED} from '../../api/rules/run-options.js'
import {usage} from '../base.js'
import type {CommandContext} from '../context.js'
import {collectValues} from '../values.js'

export interface RotateOptions {
  name: string
  pairs: string[]
  fromEnv?: string[]
  fromStdin?: string
  description?: string
  app?: string
  /** Resubmit the live deployments now on an older version. */
  resubmit: boolean
  /** `--rename OLD=NEW` flags, as given. */
  rename: string[]
  remove?: string[]
}

export async function rotateSecret(options: RotateOptions, ctx: CommandContext): Promise<RotateSecretOutput> {
  const {pairs, remove} = options
  const rename = parseRenames(options.rename)
  if (
    pairs.length === 0 &&
    !options.fromEnv &&
    !options.fromStdin &&
    options.description === undefined &&
    !rename &&
    !remove
  ) {
    throw usage(
      'Nothing to rotate: give KEY=VALUE, --from-stdin KEY, --from-env KEY, --rename OLD=NEW or --remove KEY.',
    )
  }
  const values = await collectValues({pairs, fromEnv: options.fromEnv, fromStdin: options.fromStdin}, ctx.io)
  const hush = await ctx.hush()
  const result = await hush.rotateSecret(options.name, values, {
    app: options.app,
    description: options.description,
    rename,
    remove,
  })
  const {secret} = result
  const parts = [
    result.changedKeys.length ? `changed ${result.changedKeys.join(', ')}` : '',
    result.addedKeys.length ? `added ${result.addedKeys.join(', ')}` : '',
    result.renamedKeys.length ? `renamed ${result.renamedKeys.map((r) => `${r.from} to ${r.to}`).join(', ')}` : '',
    result.removedKeys.length ? `removed ${result.removedKeys.join(', ')}` : '',
  ].filter(Boolean)
  ctx.log(
    `Rotated secret ${secret.name}${secret.app ? ` for app ${secret.app}` : ''}: version ${secret.version}${parts.length ? `, ${parts.join('; ')}` : ''}.`,
  )
  if (result.staleDeployments.length > 0 && options.resubmit) {
    // Each stale deployment is resubmitted, or named with why it was not (one line each).
    let notResubmitted = 0
    for (const id of result.staleDeployments) {
      if (isSession((await hush.status(id)).options)) {
        ctx.log(`Skipped ${id}: ${SESSION_NOT_RESUBMITTED}.`)
        continue
      }
      try {
        const again = await hush.resubmit(id)
        ctx.log(`Resubmitted ${id}: revision ${again.revision}.`)
      } catch (error) {
        if (!(error instanceof HushError)) throw error
        notResubmitted++
        ctx.log(`Not resubmitted ${id}: ${error.message.split('\n')[0]}`)
      }
    }
    if (notResubmitted > 0) ctx.io.exitCode = 1
  } else if (result.staleDeployments.length > 0) {
    ctx.log(`Live deployments on an older version: ${result.staleDeployments.join(', ')}`)
    ctx.log(`Resubmit them with: ${result.staleDeployments.map((id) => `hush resubmit ${id}`).join(' && ')}`)
  }
  return result
}

/**
 * `--rename OLD=NEW` flags as OLD: NEW (undefined when none). Each key is checked here first, so a
 * message names a flag by position and repeats only text that passed the key rule.
 */
function parseRenames(flags: string[]): Record<string, string> | undefined {
  if (flags.length === 0) return undefined
  const renames = new Map<string, string>()
  flags.forEach((flag, index) => {
    const at = flag.indexOf('=')
    const where = `--rename number ${index + 1}`
    if (at <= 0 || at === flag.length - 1) throw usage(`${where} is not OLD=NEW: write --rename OLD=NEW (two keys).`)
    const from = checkKey(flag.slice(0, at), where)
    if (renames.has(from)) throw usage(`--rename ${from}=... is given twice: rename each key once.`)
    renames.set(from, checkKey(flag.slice(at + 1), where))
  })
  // fromEntries defines own properties: `__proto__` or `constructor` is renamed like any key.
  return Object.fromEntries(renames)
}
