// `hush complete secrets|deployments` (hidden): the names shell completion offers, one per line,
// asked from a running agent only. It never starts one, and prints nothing when none answers.
import {existsSync} from 'node:fs'
import {Args, Command} from '@oclif/core'
import {resolvePaths} from '../config/paths.js'

/** Completion waits this long at most for the agent (it is typed with a finger on TAB). */
const ANSWER_MS = 1500

export default class Complete extends Command {
  static override hidden = true
  static override summary = 'Names for shell completion: secret names, or deployment ids and names.'
  static override args = {
    kind: Args.string({options: ['secrets', 'deployments'], required: true}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Complete)
    const names = await this.names(args.kind as 'secrets' | 'deployments').catch(() => [])
    if (names.length) process.stdout.write(`${[...new Set(names)].join('\n')}\n`)
  }

  private async names(kind: 'secrets' | 'deployments'): Promise<string[]> {
    const {socket} = resolvePaths()
    if (!existsSync(socket)) return []
    const {HushClient} = await import('../client/hush-client.js')
    const hush = new HushClient({start: false, timeoutMs: ANSWER_MS})
    try {
      if (kind === 'secrets') return (await hush.listSecrets()).map((secret) => secret.name)
      return (await hush.status()).flatMap((d) => (d.name ? [d.id, d.name] : [d.id]))
    } finally {
      await hush.close()
    }
  }

  /** Whatever goes wrong, completion shows nothing: never an error on the user's command line. */
  protected override async catch(): Promise<void> {}
}
