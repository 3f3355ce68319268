// `hush secrets pick`: open the interactive picker and print the `--secret` flags of the selection,
// the same path `hush submit IMAGE --pick` takes, usable to build a command line.
import {Flags} from '@oclif/core'
import {HushCommand} from '../../cli/base.js'
import {type PickOutput, pickSecretFlags} from '../../cli/secrets/pick.js'

export default class SecretsPick extends HushCommand {
  static override summary = 'Pick secrets interactively and print them as --secret flags.'
  static override description =
    'Arrow keys move, space toggles, tab switches a secret between env (--secret) and files (--secret-file) (the selection order is the order on the command line: a later secret wins on a shared key), typing filters, enter reviews the env keys that would be injected and enter again confirms; escape or Ctrl-C cancels. Needs a terminal. The picker draws on stderr, so stdout holds only the result.'
  static override examples = [
    '<%= config.bin %> secrets pick',
    '<%= config.bin %> secrets pick --env PORT=8080',
    'flags=$(<%= config.bin %> secrets pick) && <%= config.bin %> submit IMAGE $flags',
  ]
  static override flags = {
    env: Flags.string({
      description: 'KEY or KEY=VALUE you will pass to submit: shown as overriding that key of any secret',
      multiple: true,
    }),
  }

  async run(): Promise<PickOutput> {
    const {flags} = await this.parse(SecretsPick)
    return pickSecretFlags({env: flags.env ?? []}, this.context())
  }
}
