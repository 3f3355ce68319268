// `hush secrets rotate NAME KEY=VALUE...`: new values for the given keys, the others kept.
import {Flags} from '@oclif/core'
import type {RotateSecretOutput} from '../../api/contract.js'
import {HushCommand} from '../../cli/base.js'
import {rotateSecret} from '../../cli/secrets/rotate.js'
import {valueArgs, valueFlags} from '../../cli/value-flags.js'

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
    return rotateSecret(
      {
        name: args.name,
        pairs: args.pairs ?? [],
        fromEnv: flags['from-env'],
        fromStdin: flags['from-stdin'],
        description: flags.description,
        app: flags.app,
        resubmit: flags.resubmit,
        rename: flags.rename ?? [],
        remove: flags.remove,
      },
      this.context(),
    )
  }
}
