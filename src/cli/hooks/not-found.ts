// Did you mean: a mistyped command gets the closest command, spelled as the user types it
// (`hush secrets list`, never oclif's `secrets:list`). Without a terminal (or with --json) the
// suggestion is one line on stderr and the exit code is 2; on a terminal, @oclif/plugin-not-found
// asks whether to run it.
import {type Hook, toConfiguredId} from '@oclif/core'
import levenshtein from 'fast-levenshtein'
import {HushError} from '../../api/errors.js'
import {systemIO} from '../io.js'

interface Suggestion {
  /** The command's id (`secrets:list`). */
  id: string
  /** The words the user typed after the mistyped command (arguments of the suggested one). */
  rest: string[]
}

/** The closest visible command to any leading part of what was typed (`lgos:x` -> logs, with `x` kept). */
export function closestCommand(typed: string, ids: readonly string[]): Suggestion | undefined {
  const words = typed.split(':')
  let best: (Suggestion & {distance: number}) | undefined
  for (let length = words.length; length > 0; length--) {
    const head = words.slice(0, length).join(':')
    for (const id of ids) {
      const distance = levenshtein.get(head, id)
      if (!best || distance < best.distance) best = {id, rest: words.slice(length), distance}
    }
  }
  return best && {id: best.id, rest: best.rest}
}

const hook: Hook<'command_not_found'> = async function (options) {
  const {config, id} = options
  const hidden = new Set(config.commands.filter((command) => command.hidden).map((command) => command.id))
  const ids = [...config.commandIDs, ...config.commands.flatMap((command) => command.aliases)].filter(
    (commandId) => !hidden.has(commandId),
  )
  const typed = toConfiguredId(id, config)
  const suggestion = closestCommand(id, ids)
  const suggested = suggestion && [config.bin, toConfiguredId(suggestion.id, config), ...suggestion.rest].join(' ')
  const error = new HushError(
    'bad_request',
    `"${typed}" is not a ${config.bin} command${suggested ? `. Did you mean "${suggested}"?` : ''} (see ${config.bin} --help).`,
    suggestion ? {suggestion: suggested} : {},
  )
  const io = systemIO()
  // The words oclif read after the mistyped command, not process.argv: the hook runs in-process too.
  const json = (options.argv ?? []).includes('--json')
  if (!json && io.isTTY.stdin && io.isTTY.stderr) {
    // On a terminal, the plugin asks whether to run its suggestion; our one line stands for its
    // warning, and a "no" ends like the non-interactive case.
    const {default: ask} = await import('@oclif/plugin-not-found')
    io.stderr.write(`${config.bin}: "${typed}" is not a ${config.bin} command.\n`)
    const declined = Symbol('declined')
    const context = {
      ...this,
      warn: () => {},
      error: () => {
        throw declined
      },
    }
    try {
      return await ask.call(context, options)
    } catch (thrown) {
      if (thrown !== declined) throw thrown
    }
  }
  if (json) io.stdout.write(`${JSON.stringify(error.toBody())}\n`)
  else io.stderr.write(`${config.bin}: ${error.message}\n`)
  this.exit(error.exitCode)
}

export default hook
