// A command run in-process as if no agent were running: its way to the agent says so, as the real
// one does when no socket answers and it may not start one (daemon status, daemon stop).
import type {Config} from '@oclif/core'
import {HushError} from '../../src/api/errors.js'
import type {CommandDeps, HushCommand} from '../../src/cli/base.js'

/** A command class (its run is the command's own, not the base's abstract one). */
type CommandClass = new (argv: string[], config: Config) => HushCommand & {run(): Promise<unknown>}

/** COMMAND, whose agent is not running (or fails to answer with ERROR). */
export function withoutAgent(
  Command: CommandClass,
  error = new HushError('daemon_unreachable', 'The hush agent is not running: start it with `hush daemon start`.'),
): CommandClass {
  return class extends Command {
    override runWith(deps: CommandDeps): Promise<unknown> {
      return super.runWith({
        ...deps,
        connect: async () => {
          throw error
        },
      })
    }
  }
}
