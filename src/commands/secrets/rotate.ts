// `hush secrets rotate NAME KEY=VALUE...`: new values for the given keys, the others kept.
import {Flags} from '@oclif/core'
import type {RotateSecretOutput} from '../../api/contract.js'
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
  ]
  static override args = valueArgs
  static override flags = {
    ...valueFlags,
    description: Flags.string({description: 'a new description'}),
    app: Flags.string({description: 'rotate the secret scoped to APP (without it: the shared one)'}),
    resubmit: Flags.boolean({description: 'resubmit the live deployments now on an older version'}),
  }

  async run(): Promise<RotateSecretOutput> {
    const {args, flags} = await this.parse(SecretsRotate)
    const pairs = args.pairs ?? []
    if (pairs.length === 0 && !flags['from-env'] && !flags['from-stdin'] && flags.description === undefined) {
      throw usage('Nothing to rotate: give KEY=VALUE, --from-stdin KEY or --from-env KEY.')
    }
    const values = await collectValues({pairs, fromEnv: flags['from-env'], fromStdin: flags['from-stdin']})
    const hush = await this.hush()
    const result = await hush.rotateSecret(args.name, values, {app: flags.app, description: flags.description})
    const {secret} = result
    const parts = [
      result.changedKeys.length ? `changed ${result.changedKeys.join(', ')}` : '',
      result.addedKeys.length ? `added ${result.addedKeys.join(', ')}` : '',
    ].filter(Boolean)
    this.log(
      `Rotated secret ${secret.name}${secret.app ? ` for app ${secret.app}` : ''}: version ${secret.version}${parts.length ? `, ${parts.join('; ')}` : ''}.`,
    )
    if (result.staleDeployments.length > 0 && flags.resubmit) {
      for (const id of result.staleDeployments) {
        const again = await hush.resubmit(id)
        this.log(`Resubmitted ${id}: revision ${again.revision}.`)
      }
    } else if (result.staleDeployments.length > 0) {
      this.log(`Live deployments on an older version: ${result.staleDeployments.join(', ')}`)
      this.log(`Resubmit them with: ${result.staleDeployments.map((id) => `hush resubmit ${id}`).join(' && ')}`)
    }
    return result
  }
}
