// `hush secrets new NAME KEY=VALUE...`: create a secret, or replace a live one's whole bundle.
import {Flags} from '@oclif/core'
import type {CreateSecretOutput} from '../../api/contract.js'
import {HushCommand} from '../../cli/base.js'
import {newSecret} from '../../cli/secrets/new.js'
import {valueArgs, valueFlags} from '../../cli/value-flags.js'
import {PRESETS, type PresetName} from '../../cli/values.js'

export default class SecretsNew extends HushCommand {
  static override summary = 'Create a secret bundle, or replace the whole bundle of an existing one.'
  static override description =
    'Values are write-only: no command shows them again. Prefer --from-stdin, --from-env or --from-dotenv to keep values out of your shell history.'
  static override examples = [
    '<%= config.bin %> secrets new hf HF_TOKEN=hf_xxx --description "Hugging Face read token"',
    'printf %s "$TOKEN" | <%= config.bin %> secrets new gh --from-stdin GITHUB_TOKEN',
    '<%= config.bin %> secrets new wandb --from-env WANDB_API_KEY WANDB_ENTITY=myteam',
    '<%= config.bin %> secrets new app --from-dotenv .env',
    '<%= config.bin %> secrets new openai --preset openai',
    '<%= config.bin %> secrets new db --app api --from-stdin DATABASE_URL',
  ]
  static override args = valueArgs
  static override flags = {
    ...valueFlags,
    'from-dotenv': Flags.string({description: 'read KEY=VALUE pairs from a .env file'}),
    description: Flags.string({description: 'what the secret is for'}),
    app: Flags.string({
      description:
        'scope the secret to deployments named APP (hush submit --name APP); for them it wins over a shared secret of the same name',
    }),
    preset: Flags.string({
      description: 'fill the canonical key of a provider and prompt for its value',
      options: Object.keys(PRESETS),
    }),
  }

  async run(): Promise<CreateSecretOutput> {
    const {args, flags} = await this.parse(SecretsNew)
    return newSecret(
      {
        name: args.name,
        pairs: args.pairs ?? [],
        fromEnv: flags['from-env'],
        fromStdin: flags['from-stdin'],
        fromDotenv: flags['from-dotenv'],
        preset: flags.preset as PresetName | undefined,
        description: flags.description,
        app: flags.app,
      },
      this.context(),
    )
  }
}
