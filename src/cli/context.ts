// What a command's function in cli/ is given besides its options (after the GitHub CLI's factory):
// the injected IO, whether --json is on, output lines that --json silences, and the way to the
// agent, opened on first use. The oclif class maps flags to options and hands this over; a test
// runs the command in-process (test/support/in-process.ts) with streams and an agent of its own.
import type {HushClient} from '../client/hush-client.js'
import type {DockerRunner} from '../config/docker.js'
import type {HushPaths} from '../config/paths.js'
import type {IOStreams} from './io.js'
import type {RunPicker} from './pick.js'

export interface CommandContext {
  /** The streams, terminal flags, environment and exit code (`io.exitCode`) of the command. */
  io: IOStreams
  paths: HushPaths
  /** --json: the function's result is the output (the base command prints it); nothing else goes on stdout. */
  json: boolean
  /** A line for people on stdout; nothing under --json. */
  log(message?: string): void
  /** A line for people on stderr; nothing under --json. */
  note(message: string): void
  /** The agent, found or started unless `start` is false (one client per kind, closed when the command ends). */
  hush(options?: {start?: boolean; timeoutMs?: number}): Promise<HushClient>
  /** A client of its own, closed by the caller: for a step that may outlast the agent's idle timeout. */
  newHush(): Promise<HushClient>
  /** How this side runs the docker CLI (a test's fake, else the real one, config/docker.ts). */
  docker(): Promise<DockerRunner>
  /** The interactive picker, when not Ink's (a test's). */
  picker?: RunPicker
}
