// `hush complete secrets|deployments` (hidden): the names shell completion offers, one per line
// (cli/complete.ts), asked from a running agent only; never an error on the user's command line.
import {Args} from '@oclif/core'
import {HushCommand} from '../cli/base.js'
import {type CompletionKind, complete} from '../cli/complete.js'

export default class Complete extends HushCommand {
  static override hidden = true
  static override summary = 'Names for shell completion: secret names, or deployment ids and names.'
  static override enableJsonFlag = false
  static override args = {
    kind: Args.string({options: ['secrets', 'deployments'], required: true}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Complete)
    await complete(this.context(), args.kind as CompletionKind)
  }

  /** Whatever goes wrong, completion shows nothing: never an error on the user's command line. */
  protected override async catch(): Promise<void> {}
}
