// Commands run in-process with their own streams (cli/io.ts) and an in-process agent: the real API
// server and contract checks on a socket in a temporary directory, with handlers of the test's own.
// No docker, no keyring, no D-Bus: what a user sees on stdout and stderr, and the exit code.
//
//   const agent = inProcessAgent(({record, open}) => ({listSecrets: (input) => (record('listSecrets', input), [])}))
//   const result = await agent.run(SecretsList, ['--json'])
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough, Readable} from 'node:stream'
import {Config} from '@oclif/core'
import {afterAll, afterEach, beforeAll, expect} from 'vitest'
import type {Hello} from '../../src/api/contract.js'
import {HushError} from '../../src/api/errors.js'
import type {CommandDeps, HushCommand} from '../../src/cli/base.js'
import type {IOStreams} from '../../src/cli/io.js'
import {AgentClient} from '../../src/client/client.js'
import {type Connection, connectAgent} from '../../src/client/connect.js'
import {loadSodium, type Sodium} from '../../src/crypto/sodium.js'
import {newTransportKeys, openBox, type TransportKeys} from '../../src/crypto/transport.js'
import type {Agent} from '../../src/daemon/agent.js'
import type {HandlerTable} from '../../src/daemon/http/handlers/types.js'
import {type ApiServer, createApiServer} from '../../src/daemon/http/server.js'
import type {Logger} from '../../src/daemon/process/log.js'
import {ROOT} from './helpers.js'

export interface Outcome {
  stdout: string
  stderr: string
  exitCode: number
  /** The command's environment after it ran (`--from-env` removes what it read). */
  env: NodeJS.ProcessEnv
}

/** One row of a command's table of cases: what it runs with, what the user sees, what the agent gets. */
export interface CommandCase {
  name: string
  argv: string[]
  run?: RunOptions
  /** The whole of stdout, or a pattern it matches (default: not checked). */
  stdout?: string | RegExp
  /** The whole of stderr, or a pattern it matches (default: empty). */
  stderr?: string | RegExp
  /** Default 0. */
  exitCode?: number
  /** What the agent received, in order (default: nothing, as for a usage error). */
  received?: Array<{route: string; input: unknown}>
}

export interface RunOptions {
  stdin?: string
  env?: NodeJS.ProcessEnv
  /** Which streams claim to be a terminal (default: none). */
  isTTY?: Partial<IOStreams['isTTY']>
  /** More dependencies for the command (the agent's connection is always the in-process one). */
  deps?: Omit<CommandDeps, 'io' | 'connect'>
  /** The agent's hello during this run differs so (keyring mode, sealed, unlock cache). */
  hello?: Partial<Hello>
}

/** What handlers get to note what they were sent and to open the values a command sealed. */
export interface AgentTools {
  /** Notes that ROUTE was called with INPUT (see `received`). */
  record(route: string, input: unknown): void
  /** The value a command sealed to this agent, as text; throws when it was sealed to another key. */
  open(sealed: string, key?: string): string
  /** The agent's hello (its public key, home and socket). */
  hello(): Hello
}

export interface InProcessAgent {
  /** What the agent was sent, by route, in order (cleared after each test). */
  readonly received: Array<{route: string; input: unknown}>
  /** What the agent logged. */
  readonly log: string[]
  /** The agent's home (HUSH_HOME of every run) and socket. */
  readonly dir: string
  readonly socket: string
  /** The oclif config of this checkout. */
  config(): Config
  /** A client on the agent's socket (close it). */
  client(): AgentClient
  /** Runs a command in-process: its streams are the test's, its agent this one. */
  run(
    Command: new (argv: string[], config: Config) => HushCommand,
    argv: string[],
    options?: RunOptions,
  ): Promise<Outcome>
  /** Runs a case of a table (see CommandCase) and checks what it says; the outcome for more checks. */
  check(Command: new (argv: string[], config: Config) => HushCommand, row: CommandCase): Promise<Outcome>
}

/** A hush command's class, as oclif constructs it. */
export type CommandClass = new (argv: string[], config: Config) => HushCommand

/** Runs COMMAND in-process with streams of its own; its environment is exactly `options.env`. */
async function runCommand(
  Command: CommandClass,
  argv: string[],
  config: Config,
  options: RunOptions,
  connect?: CommandDeps['connect'],
): Promise<Outcome> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const text = {stdout: '', stderr: ''}
  stdout.on('data', (chunk: Buffer) => {
    text.stdout += chunk.toString('utf8')
  })
  stderr.on('data', (chunk: Buffer) => {
    text.stderr += chunk.toString('utf8')
  })
  const io: IOStreams = {
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    stdout,
    stderr,
    isTTY: {stdin: false, stdout: false, stderr: false, ...options.isTTY},
    env: {...options.env},
    exitCode: 0,
  }
  await new Command(argv, config).runWith({...options.deps, io, connect})
  return {...text, exitCode: io.exitCode, env: io.env}
}

let checkoutConfig: Promise<Config> | undefined

/**
 * Runs a command in-process against the running agent of the store HOME: the command's code and
 * the agent's answer as a user sees them, without a process start. It never starts an agent (one
 * started from here would have this process's environment, not the store's): the binary (`hush()`)
 * starts it, and stays what tests the binary itself.
 */
export async function runAgainstStore(
  home: {env: Record<string, string>},
  Command: CommandClass,
  argv: string[],
  options: Omit<RunOptions, 'hello'> = {},
): Promise<Outcome> {
  checkoutConfig ??= Config.load({root: ROOT})
  const connect: CommandDeps['connect'] = (paths, connectOptions) =>
    connectAgent(paths, {...connectOptions, start: false})
  const env = {...process.env, ...home.env, ...options.env}
  return runCommand(Command, argv, await checkoutConfig, {...options, env}, connect)
}

/**
 * An in-process agent for the file's tests, started before them and closed after: HANDLERS makes the
 * routes it answers; a route left out answers 500 (a bug in the test).
 */
export function inProcessAgent(handlers: (tools: AgentTools) => Partial<HandlerTable>): InProcessAgent {
  let dir = ''
  let socket = ''
  let server: ApiServer
  let config: Config
  let sodium: Sodium
  let keys: TransportKeys
  const received: Array<{route: string; input: unknown}> = []
  const log: string[] = []

  /** RunOptions.hello of the run under way. */
  let helloPatch: Partial<Hello> = {}
  const hello = (): Hello => ({
    name: 'hush',
    version: 'test',
    protocol: 1,
    pid: process.pid,
    publicKey: sodium.to_base64(keys.publicKey, sodium.base64_variants.ORIGINAL),
    home: dir,
    socket,
    keyring: 'os',
    keyringAccount: 'test',
    sealed: false,
    unlockCache: {state: 'none', expiresAt: null, problem: null},
    startedAt: '2026-01-01T00:00:00.000Z',
    // No shell's digest: a command compares its engine with the agent's (see engine-match.ts).
    dockerEnvironment: 'the fake agent has none',
    ...helloPatch,
  })
  const tools: AgentTools = {
    record: (route, input) => {
      received.push({route, input})
    },
    open: (sealed, key = 'value') => {
      const bytes = openBox(sodium, keys, sealed)
      if (!bytes) throw new HushError('unopenable_value', `The ${key} was not sealed to this agent.`)
      return Buffer.from(bytes).toString('utf8')
    },
    hello,
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-commands-'))
    socket = join(dir, 'agent.sock')
    sodium = await loadSodium()
    keys = newTransportKeys(sodium)
    config = await Config.load({root: ROOT})
    // No deployments: a route's state read (its `refresh` flag) finds nothing to reconcile.
    const agent = {
      dataKey: {sealed: false},
      deployments: {refresh: async () => undefined},
      paths: {home: dir},
    } as unknown as Agent
    const logger: Logger = {
      info: (message) => log.push(message),
      warn: (message) => log.push(message),
      error: (message, error) => log.push(`${message}: ${error instanceof Error ? error.stack : String(error)}`),
    }
    server = createApiServer(agent, {hello, ...handlers(tools)} as HandlerTable, logger, {onActivity: () => {}})
    await new Promise<void>((resolve) => server.listen(socket, resolve))
  })

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    rmSync(dir, {recursive: true, force: true})
  })

  afterEach(() => {
    received.length = 0
  })

  const connect = async (): Promise<Connection> => ({client: new AgentClient(socket), hello: hello()})

  const self: InProcessAgent = {
    received,
    log,
    get dir() {
      return dir
    },
    get socket() {
      return socket
    },
    config: () => config,
    client: () => new AgentClient(socket),
    async run(Command, argv, options = {}) {
      helloPatch = options.hello ?? {}
      try {
        return await runCommand(Command, argv, config, {...options, env: {HUSH_HOME: dir, ...options.env}}, connect)
      } finally {
        helloPatch = {}
      }
    },
    async check(Command, row) {
      const outcome = await self.run(Command, row.argv, row.run)
      const like = (actual: string, expected: string | RegExp) =>
        typeof expected === 'string' ? expect(actual).toBe(expected) : expect(actual).toMatch(expected)
      like(outcome.stderr, row.stderr ?? '')
      if (row.stdout !== undefined) like(outcome.stdout, row.stdout)
      expect(outcome.exitCode).toBe(row.exitCode ?? 0)
      expect(received).toEqual(row.received ?? [])
      return outcome
    },
  }
  return self
}
