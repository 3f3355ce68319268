// `hush complete secrets|deployments` (hidden): the names shell completion offers, one per line,
// asked from a running agent only. It never starts one, and prints nothing when none answers.
import {existsSync} from 'node:fs'
import type {CommandContext} from './context.js'

/** Completion waits this long at most for the agent (it is typed with a finger on TAB). */
const ANSWER_MS = 1500

export type CompletionKind = 'secrets' | 'deployments'

/** Prints the names of KIND, each once; whatever goes wrong, nothing. */
export async function complete(cmd: CommandContext, kind: CompletionKind): Promise<void> {
  const names = await completionNames(cmd, kind).catch(() => [])
  if (names.length) cmd.io.stdout.write(`${[...new Set(names)].join('\n')}\n`)
}

/** Secret names, or deployment ids and names, from a running agent (none when no socket is there). */
async function completionNames(cmd: CommandContext, kind: CompletionKind): Promise<string[]> {
  if (!existsSync(cmd.paths.socket)) return []
  const hush = await cmd.hush({start: false, timeoutMs: ANSWER_MS})
  if (kind === 'secrets') return (await hush.listSecrets()).map((secret) => secret.name)
  return (await hush.status()).flatMap((d) => (d.name ? [d.id, d.name] : [d.id]))
}
