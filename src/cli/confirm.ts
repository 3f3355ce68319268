// Confirming a destructive command: on a terminal the user types the name of what is about to go;
// without a terminal nothing is asked and `--yes` is required. One rule for every such command.
import {HushError} from '../api/errors.js'
import {type IOStreams, promptLine, systemIO} from './io.js'

export interface ConfirmOptions {
  /** What the command is about to do, as a sentence fragment: "delete secret hf, used by 2 live deployments". */
  action: string
  /** The word the user must type to go ahead (usually the name of what is affected). */
  expected: string
  /** `--yes` was given: go ahead without asking. */
  yes: boolean
  /** The flag that skips the question, for the error without a terminal. */
  flag?: string
}

/**
 * Resolves when the user confirmed (typed `expected`) or gave `--yes`; otherwise throws
 * `cancelled` (typed something else) or `bad_request` (no terminal and no `--yes`).
 */
export async function confirmDestructive(options: ConfirmOptions, io: IOStreams = systemIO()): Promise<void> {
  if (options.yes) return
  const flag = options.flag ?? '--yes'
  if (!io.isTTY.stdin) {
    throw new HushError('bad_request', `This would ${options.action}: with no terminal to confirm on, add ${flag}.`)
  }
  const answer = (await promptLine(io, `This will ${options.action}. Type ${options.expected} to go ahead: `)).trim()
  if (answer !== options.expected) {
    throw new HushError('cancelled', `Not confirmed (expected ${options.expected}): nothing changed.`)
  }
}
