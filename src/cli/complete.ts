// `hush complete secrets|deployments` (hidden): the names shell completion offers, one per line,
// asked from a running agent only. It never starts one, and prints nothing when none answers.
import {existsSync} from 'node:fs'
import type {DeploymentDetail, SecretInfo} from '../api/contract.js'
import type {CommandContext} from './context.js'

/** Completion waits this long at most for the agent (it is typed with a finger on TAB). */
const ANSWER_MS = 1500

export type CompletionKind = 'secrets' | 'deployments'

/** Prints the names of KIND, each once; whatever goes wrong, nothing. */
export async function complete(cmd: CommandContext, kind: CompletionKind): Promise<void> {
  const names = await completionNames(cmd, kind).catch(() => [])
  cmd.io.stdout.write(completionText(names))
}

/** The names of secrets, or the ids and names of deployments, as completion offers them. */
export function namesOf(kind: 'secrets', items: SecretInfo[]): string[]
export function namesOf(kind: 'deployments', items: DeploymentDetail[]): string[]
export function namesOf(kind: CompletionKind, items: SecretInfo[] | DeploymentDetail[]): string[] {
  if (kind === 'secrets') return (items as SecretInfo[]).map((secret) => secret.name)
  return (items as DeploymentDetail[]).flatMap((d) => (d.name ? [d.id, d.name] : [d.id]))
}

/** What completion prints: each name once, one per line; nothing at all for none (the lean route's too). */
export function completionText(names: string[]): string {
  return names.length ? `${[...new Set(names)].join('\n')}\n` : ''
}

/** Secret names, or deployment ids and names, from a running agent (none when no socket is there). */
async function completionNames(cmd: CommandContext, kind: CompletionKind): Promise<string[]> {
  if (!existsSync(cmd.paths.socket)) return []
  const hush = await cmd.hush({start: false, timeoutMs: ANSWER_MS})
  if (kind === 'secrets') return namesOf(kind, await hush.listSecrets())
  return namesOf(kind, await hush.status())
}
