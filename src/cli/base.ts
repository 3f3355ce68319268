// The base of every hush command: `--json` everywhere, one success shape, one error shape, one
// place (catch) that turns any failure into a single line and the right exit code. A command talks
// through injected streams (cli/io.ts) and reaches the agent through HushClient only, so a test can
// run it in-process with its own streams and agent.
import {format} from 'node:util'
import {Command, Errors, ux} from '@oclif/core'
import {HushError} from '../api/errors.js'
import type {HushClient, HushClientOptions} from '../client/hush-client.js'
import {asHushError} from '../client/socket-errors.js'
import type {DockerRunner} from '../config/docker.js'
import {type HushPaths, resolvePaths} from '../config/paths.js'
import type {CommandContext} from './context.js'

export type {CommandContext} from './context.js'

import {type IOStreams, systemIO} from './io.js'
import type {RunPicker} from './pick.js'

/** What a command is given rather than taking it from the process: its streams and its way to the agent. */
export interface CommandDeps {
  io: IOStreams
  /** How to reach the agent (default: find or start it on the socket, connect.ts). */
  connect?: HushClientOptions['connect']
  /** How to run the docker CLI on this side (default: the real one, config/docker.ts). */
  docker?: DockerRunner
  /** The interactive picker (default: Ink's on the terminal, cli/pick.ts). */
  picker?: RunPicker
}

export abstract class HushCommand extends Command {
  static override enableJsonFlag = true

  private deps: CommandDeps | undefined
  private readonly clients = new Map<boolean, HushClient>()
  /** The headless offer (passphrase mode when no OS keyring answers) is made once per command. */
  private offered = false

  /**
   * Runs the command (parse, run, catch, finally, as oclif does) with the streams and the way to the
   * agent given: how a test runs a command in-process. Without it a command uses the process's.
   */
  runWith(deps: CommandDeps): Promise<unknown> {
    this.deps = deps
    return this._run()
  }

  protected get io(): IOStreams {
    this.deps ??= {io: systemIO()}
    return this.deps.io
  }

  protected get paths(): HushPaths {
    return resolvePaths(this.io.env)
  }

  /**
   * The one way to the agent: found, or started unless `start` is false (one client per kind,
   * reused); `timeoutMs` bounds each answer (completion's, typed with a finger on TAB).
   */
  protected async hush(options: {start?: boolean; timeoutMs?: number} = {}): Promise<HushClient> {
    const start = options.start ?? true
    let client = this.clients.get(start)
    if (!client) {
      // Loaded on use: the agent itself (`daemon run`) and commands that fail before calling it start without undici.
      const {HushClient} = await import('../client/hush-client.js')
      client = new HushClient({home: this.paths.home, start, timeoutMs: options.timeoutMs, connect: this.deps?.connect})
      this.clients.set(start, client)
    }
    return client
  }

  /**
   * A client of its own, not shared with the rest of the command (closed by the caller): for a
   * step that may outlast the agent's idle timeout (a picker, a session), after which it starts again.
   */
  protected async newHush(): Promise<HushClient> {
    const {HushClient} = await import('../client/hush-client.js')
    return new HushClient({home: this.paths.home, connect: this.deps?.connect})
  }

  /** How this command runs docker (a test's fake, else the real CLI, loaded on use). */
  protected async docker(): Promise<DockerRunner> {
    if (this.deps?.docker) return this.deps.docker
    const {systemDocker} = await import('../config/docker.js')
    return systemDocker()
  }

  /** What the command's function in cli/ is given. */
  protected context(): CommandContext {
    return {
      io: this.io,
      paths: this.paths,
      json: this.jsonEnabled(),
      hush: (options) => this.hush(options),
      newHush: () => this.newHush(),
      docker: () => this.docker(),
      log: (message) => this.log(message),
      note: (message) => this.note(message),
      picker: this.deps?.picker,
    }
  }

  override log(message = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) this.io.stdout.write(`${format(message, ...args)}\n`)
  }

  override logJson(json: unknown): void {
    this.io.stdout.write(`${ux.colorizeJson(json, {pretty: true, theme: this.config.theme?.json})}\n`)
  }

  /** A line on stderr for people; silent under --json. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) this.io.stderr.write(`${message}\n`)
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    for (const client of this.clients.values()) await client.close()
    return super.finally(error)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    if (error instanceof Errors.ExitError) throw error
    // A parse error means parse() ran: without this, oclif (under NODE_ENV=development or test)
    // adds an "UnparsedCommand" warning and the error is no longer one line.
    this.parsed = true
    let hush = toHushError(error)
    const client = this.clients.get(true)
    if (!this.offered && client && !this.jsonEnabled()) {
      this.offered = true
      const {canOfferPassphrase, offerPassphrase} = await import('./headless.js')
      if (canOfferPassphrase(hush, this.io)) {
        try {
          // Passphrase mode set up on the spot: the command runs again, now on an unsealed store.
          if (await offerPassphrase(client, hush, this.io)) {
            await this.run()
            return
          }
        } catch (retryError) {
          hush = toHushError(retryError)
        }
      }
    }
    this.io.exitCode = hush.exitCode
    if (this.jsonEnabled()) {
      this.io.stdout.write(`${JSON.stringify(hush.toBody())}\n`)
    } else {
      this.io.stderr.write(`hush: ${hush.message}\n`)
      if (hush.code === 'internal' && this.io.env.HUSH_DEBUG && error.stack) this.io.stderr.write(`${error.stack}\n`)
    }
  }
}

/** Any failure as a HushError: usage errors from the parser keep exit code 2. */
export function toHushError(error: unknown): HushError {
  if (error instanceof HushError) return error
  if (error instanceof Errors.CLIError && error.oclif?.exit === 2) {
    // Flag-relationship errors (exclusive, dependsOn) open with a header line: keep the reason.
    const lines = error.message.split('\n').map((line) => line.trim())
    const first = (/^The following errors? occurred:$/.test(lines[0]) && lines[1]) || lines[0]
    return new HushError('bad_request', `${first} (see --help).`)
  }
  return asHushError(error)
}

export function usage(message: string): HushError {
  return new HushError('bad_request', message)
}
