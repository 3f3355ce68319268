// submit's `docker run` flags, made from the one table of run options (api/rules/run-options.ts), and
// the options object a parsed command line gives, checked like the agent checks it.
import {Flags} from '@oclif/core'
import type {AlphabetLowercase, FlagInput} from '@oclif/core/interfaces'
import {
  checkRunOptions,
  type DeploymentTarget,
  RUN_OPTIONS,
  type RunOptionSpec,
  type RunOptions,
  refusedRunOption,
} from '../api/rules/run-options.js'
import {usage} from './base.js'

const multiple = {multiple: true, multipleNonGreedy: true} as const

/** Which docker command an option goes to, for --help: run, service create, or both. */
function dockerFlag(spec: RunOptionSpec): string {
  if (spec.swarmOnly) return `docker service create --${spec.name}`
  if (spec.swarm === undefined) return `docker run --${spec.name} (local only)`
  return `docker run --${spec.name}, service --${spec.swarm === true ? spec.name : spec.swarm}`
}

/** One oclif flag per run option, in the help group DOCKER RUN (Swarm's own in SWARM). */
export function runOptionFlags(): FlagInput {
  const flags: FlagInput = {}
  for (const spec of RUN_OPTIONS as readonly RunOptionSpec[]) {
    const base = {
      description: `${dockerFlag(spec)}: ${spec.summary}`,
      helpGroup: spec.swarmOnly ? 'SWARM' : 'DOCKER RUN',
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

/** The run options of parsed flags, checked for `target` (the agent checks them again). */
export function runOptionsOf(flags: Record<string, unknown>, target: DeploymentTarget = 'local'): RunOptions {
  const raw: Record<string, unknown> = {}
  for (const spec of RUN_OPTIONS) if (flags[spec.name] !== undefined) raw[spec.name] = flags[spec.name]
  return checkRunOptions(raw, target)
}
