// Finding the agent: say hello on the socket; when nothing answers, start one (detached, the same
// program) and wait until it is ready; when an agent of another version answers, stop it first.
import {spawn} from 'node:child_process'
import {closeSync, openSync, readFileSync} from 'node:fs'
import {isSea} from 'node:sea'
import {fileURLToPath} from 'node:url'
import {type Hello, routes} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {ensurePrivateDir, ensureRuntimeDir, type HushPaths} from '../config/paths.js'
import {VERSION} from '../version.js'
import {AgentClient} from './client.js'

const READY_TIMEOUT_MS = 20_000

export interface Connection {
  client: AgentClient
  hello: Hello
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The command line that runs the agent: this same program with `daemon run` (the executable itself when single-file). */
export function agentCommand(): {file: string; args: string[]} {
  if (isSea()) return {file: process.execPath, args: ['daemon', 'run']}
  const entry = process.env.HUSH_ENTRY ?? fileURLToPath(new URL('../../bin/run.js', import.meta.url))
  return {file: process.execPath, args: [entry, 'daemon', 'run']}
}

async function tryHello(client: AgentClient): Promise<Hello | undefined> {
  try {
    return await client.call(routes.hello, {})
  } catch (error) {
    if (error instanceof HushError) throw error
    return undefined
  }
}

function spawnAgent(paths: HushPaths): void {
  ensurePrivateDir(paths.home)
  const out = openSync(paths.log, 'a', 0o600)
  const {file, args} = agentCommand()
  // The agent finds its store by HUSH_HOME: pass the one chosen here (a client may pick it by option).
  const env = {...process.env, HUSH_HOME: paths.home}
  const child = spawn(file, args, {detached: true, stdio: ['ignore', out, out], env})
  child.unref()
  closeSync(out)
}

function lastLogLine(paths: HushPaths): string {
  try {
    const lines = readFileSync(paths.log, 'utf8').trim().split('\n')
    return lines[lines.length - 1]?.replace(/^\S+ \w+ /, '') ?? ''
  } catch {
    return ''
  }
}

/** Waits until nothing answers hello on the socket (the agent removed it and is exiting). */
export async function waitUntilGone(client: AgentClient): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (!(await tryHello(client))) return
    await sleep(50)
  }
  throw new HushError('daemon_unreachable', 'The old hush agent did not stop: run `hush daemon stop`, then try again.')
}

/** Connects to the agent of this store, starting it when needed. */
export async function connectAgent(paths: HushPaths, options: {start?: boolean} = {}): Promise<Connection> {
  ensureRuntimeDir(paths)
  const client = new AgentClient(paths.socket)
  try {
    let hello = await tryHello(client)
    if (hello && hello.version !== VERSION) {
      await client.call(routes.shutdown, {})
      await waitUntilGone(client)
      hello = undefined
    }
    if (hello) return {client, hello}
    if (options.start === false) {
      throw new HushError('daemon_unreachable', 'The hush agent is not running: start it with `hush daemon start`.')
    }
    spawnAgent(paths)
    const deadline = Date.now() + READY_TIMEOUT_MS
    let delay = 10
    while (Date.now() < deadline) {
      await sleep(delay)
      delay = Math.min(delay * 2, 100)
      hello = await tryHello(client)
      if (hello && hello.version === VERSION) return {client, hello}
    }
    const reason = lastLogLine(paths)
    throw new HushError(
      'daemon_unreachable',
      `The hush agent did not start within ${READY_TIMEOUT_MS / 1000} s${reason ? ` (${reason})` : ''}: see ${paths.log}.`,
    )
  } catch (error) {
    await client.close()
    throw error
  }
}
