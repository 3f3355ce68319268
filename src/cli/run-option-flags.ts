// submit's `docker run` flags, made from the one table of run options (api/run-options.ts), and
// the options object a parsed command line gives, checked like the agent checks it.
import {Flags} from '@oclif/core'
import type {AlphabetLowercase, FlagInput} from '@oclif/core/interfaces'
import {checkRunOptions, RUN_OPTIONS, type RunOptions, refusedRunOption} from '../api/run-options.js'
import {usage} from './base.js'

const multiple = {multiple: true, multipleNonGreedy: true} as const

/** One oclif flag per run option, in the help group DOCKER RUN. */
export function runOptionFlags(): FlagInput {
  const flags: FlagInput = {}
  for (const spec of RUN_OPTIONS) {
    const base = {
      description: `docker run --${spec.name}: ${spec.summary}`,
      helpGroup: 'DOCKER RUN',
      ...('char' in spec ? {char: spec.char as AlphabetLowercase} : {}),
    }
    if (spec.kind === 'boolean') flags[spec.name] = Flags.boolean(base)
    else if (spec.kind === 'repeatable') flags[spec.name] = Flags.string({...base, ...multiple})
    else flags[spec.name] = Flags.string(base)
  }
  return flags
}

/** Refuses `-e`, `--env-file`, `--label-file` before parsing, with the way to do it in hush. */
export function refuseValueCarriers(argv: string[]): void {
  for (const word of argv) {
    const refused = refusedRunOption(word)
    if (refused) throw usage(refused)
  }
}

/** The run options of parsed flags, checked (the agent checks them again). */
export function runOptionsOf(flags: Record<string, unknown>): RunOptions {
  const raw: Record<string, unknown> = {}
  for (const spec of RUN_OPTIONS) if (flags[spec.name] !== undefined) raw[spec.name] = flags[spec.name]
  return checkRunOptions(raw)
}
