// `hush secrets rotate NAME KEY=VALUE...`: new values for the given keys, the others kept.
import {Flags} from '@oclif/core'
import type {RotateSecretOutput} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {checkKey} from '../../api/limits.js'
import {isSession, SESSION_NOT_RESUBMITTED} from '../../api/rules/run-options.js'
import {HushCommand, usage} from '../../cli/base.js'
import {valueArgs, valueFlags} from '../../cli/value-flags.js'
import {collectValues} from '../../cli/values.js'

export default class SecretsRotate extends HushCommand {
  static override summary = 'Change values of an existing secret in place (version + 1).'
  static override description =
    'The given keys get new values, new keys are added, the other keys keep theirs. Live deployments keep the values they started with until resubmitted.'
  static override examples = [
    'printf %s "$NEW" | <%= config.bin %> secrets rotate hf --from-stdin HF_TOKEN',
    '<%= config.bin %> secrets rotate db --from-env PGPASSWORD',
    '<%= config.bin %> secrets rotate db --app api --from-env PGPASSWORD --resubmit',
    '<%= config.bin %> secrets rotate hf --rename HF_TOKEN=HUGGINGFACE_TOKEN',
    '<%= config.bin %> secrets rotate db --remove OLD_PASSWORD',
  ]
  static override args = valueArgs
  static override flags = {
    ...valueFlags,
    description: Flags.string({description: 'a new description'}),
    app: Flags.string({description: 'rotate the secret scoped to APP (without it: the shared one)'}),
    resubmit: Flags.boolean({description: 'resubmit the live deployments now on an older version'}),
    rename: Flags.string({
      description: 'rename key OLD to NEW, keeping its value (repeatable)',
      helpValue: 'OLD=NEW',
      multiple: true,
      multipleNonGreedy: true,
    }),
    remove: Flags.string({
      description: 'remove KEY from the bundle (repeatable; one key at least must remain)',
      helpValue: 'KEY',
      multiple: true,
      multipleNonGreedy: true,
    }),
  }

  async run(): Promise<RotateSecretOutput> {
    const {args, flags} = await this.parse(SecretsRotate)
    const pairs = args.pairs ?? []
    const rename = parseRenames(flags.rename ?? [])
    const remove = flags.remove
    if (
      pairs.length === 0 &&
      !flags['from-env'] &&
      !flags['from-stdin'] &&
      flags.description === undefined &&
      !rename &&
      !remove
    ) {
      throw usage(
        'Nothing to rotate: give KEY=VALUE, --from-stdin KEY, --from-env KEY, --rename OLD=NEW or --remove KEY.',
      )
    }
    const values = await collectValues({pairs, fromEnv: flags['from-env'], fromStdin: flags['from-stdin']}, this.io)
    const hush = await this.hush()
    const result = await hush.rotateSecret(args.name, values, {
      app: flags.app,
      description: flags.description,
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
    this.log(
      `Rotated secret ${secret.name}${secret.app ? ` for app ${secret.app}` : ''}: version ${secret.version}${parts.length ? `, ${parts.join('; ')}` : ''}.`,
    )
    if (result.staleDeployments.length > 0 && flags.resubmit) {
      // Each stale deployment is resubmitted, or named with why it was not (one line each).
      let notResubmitted = 0
      for (const id of result.staleDeployments) {
        if (isSession((await hush.status(id)).options)) {
          this.log(`Skipped ${id}: ${SESSION_NOT_RESUBMITTED}.`)
          continue
        }
        try {
          const again = await hush.resubmit(id)
          this.log(`Resubmitted ${id}: revision ${again.revision}.`)
        } catch (error) {
          if (!(error instanceof HushError)) throw error
          notResubmitted++
          this.log(`Not resubmitted ${id}: ${error.message.split('\n')[0]}`)
        }
      }
      if (notResubmitted > 0) process.exitCode = 1
    } else if (result.staleDeployments.length > 0) {
      this.log(`Live deployments on an older version: ${result.staleDeployments.join(', ')}`)
      this.log(`Resubmit them with: ${result.staleDeployments.map((id) => `hush resubmit ${id}`).join(' && ')}`)
    }
    return result
  }
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
