// The base of every hush command: `--json` everywhere, one success shape, one error shape, one
// place (catch) that turns any failure into a single line and the right exit code.
import {Command, Errors} from '@oclif/core'
import {HushError} from '../api/errors.js'
import type {AgentClient} from '../client/client.js'
import type {Connection} from '../client/connect.js'
import type {HushClient} from '../client/hush-client.js'
import {type HushPaths, resolvePaths} from '../config/paths.js'

export abstract class HushCommand extends Command {
  static override enableJsonFlag = true

  private connection: Connection | undefined
  /** The headless offer (passphrase mode when no OS keyring answers) is made once per command. */
  private offered = false

  protected get paths(): HushPaths {
    return resolvePaths()
  }

  /** The agent of this store, started when it is not running. */
  protected async agent(): Promise<Connection> {
    if (!this.connection) {
      // Loaded on use: the agent itself (`daemon run`) and commands that fail before calling it start without undici.
      const {connectAgent} = await import('../client/connect.js')
      this.connection = await connectAgent(this.paths)
    }
    return this.connection
  }

  protected async client(): Promise<AgentClient> {
    return (await this.agent()).client
  }

  /** The SDK's client over this command's connection to the agent. */
  protected async hush(): Promise<HushClient> {
    // Loaded on use: commands that do not need it start without it.
    const {HushClient} = await import('../client/hush-client.js')
    return HushClient.over(await this.agent(), this.paths)
  }

  /** A line on stderr for people; silent under --json. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`)
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    await this.connection?.client.close()
    return super.finally(error)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    if (error instanceof Errors.ExitError) throw error
    // A parse error means parse() ran: without this, oclif (under NODE_ENV=development or test)
    // adds an "UnparsedCommand" warning and the error is no longer one line.
    this.parsed = true
    let hush = toHushError(error)
    if (!this.offered && this.connection && !this.jsonEnabled()) {
      this.offered = true
      const {canOfferPassphrase, offerPassphrase} = await import('./headless.js')
      if (canOfferPassphrase(hush)) {
        try {
          // Passphrase mode set up on the spot: the command runs again, now on an unsealed store.
          if (await offerPassphrase(this.connection, hush)) {
            await this.run()
            return
          }
        } catch (retryError) {
          hush = toHushError(retryError)
        }
      }
    }
    process.exitCode = hush.exitCode
    if (this.jsonEnabled()) {
      process.stdout.write(`${JSON.stringify(hush.toBody())}\n`)
    } else {
      process.stderr.write(`hush: ${hush.message}\n`)
      if (hush.code === 'internal' && process.env.HUSH_DEBUG && error.stack) process.stderr.write(`${error.stack}\n`)
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
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
  return new HushError('internal', `Unexpected error: ${message}`)
}

export function usage(message: string): HushError {
  return new HushError('bad_request', message)
}
