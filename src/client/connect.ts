// Finding the agent: say hello on the socket (or on the socket of the agent that holds the store,
// found through another runtime directory); when nothing answers, start one (detached, the same
// program, with its own minimal environment, no core dumps, in its state directory) and wait until
// it is ready; when an agent of another version answers, stop it first.
import {spawn} from 'node:child_process'
import {closeSync, openSync, readFileSync} from 'node:fs'
import {isSea} from 'node:sea'
import {fileURLToPath} from 'node:url'
import {type Hello, routes} from '../api/contract.js'
import {HushError, readOnlyError} from '../api/errors.js'
import {agentEnvironment} from '../config/agent-env.js'
import {ensurePrivateDir, ensureRuntimeDir, type HushPaths} from '../config/paths.js'
import {storeOwner} from '../config/store-owner.js'
import {VERSION} from '../version.js'
import {AgentClient} from './client.js'
import {checkStoreHome, processStat, trustedStoreOwner, wedgedAgent} from './who-answers.js'

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

/** How long an agent has to answer hello: a live one answers in milliseconds. */
const HELLO_TIMEOUT_MS = 3_000
/** How much longer a busy agent (using the CPU, say deriving a key for another command) gets. */
const BUSY_HELLO_TIMEOUT_MS = 20_000
/** CPU time (clock ticks, 10 ms each) an agent must have used while hello waited to count as busy. */
const BUSY_TICKS = 10

function isAnswerTimeout(error: unknown): boolean {
  const code = (error as {code?: string}).code
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
}

/**
 * Says hello; undefined when nothing listens. An agent that accepts and does not answer (stopped,
 * stuck, or not an agent) is reported in one line naming its pid, after a few seconds, not minutes;
 * one that used the CPU meanwhile (busy) gets longer, unless the caller's own budget (`budgetMs`) is short.
 */
async function tryHello(client: AgentClient, budgetMs?: number): Promise<Hello | undefined> {
  const first = Math.min(budgetMs ?? HELLO_TIMEOUT_MS, HELLO_TIMEOUT_MS)
  // CPU time of the agent before hello: now, on a connection already open; else as the connector saw it.
  const known = client.peer
  const knownTicks = known && processStat(known.pid)?.cpuTicks
  try {
    return await client.call(routes.hello, {}, {timeoutMs: first})
  } catch (error) {
    if (error instanceof HushError) throw error
    if (!isAnswerTimeout(error)) return undefined
    const pid = client.peer?.pid
    const before = client.peer === known ? knownTicks : client.peer?.cpuTicks
    const now = pid === undefined ? undefined : processStat(pid)
    const busy = now !== undefined && before !== undefined && now.state !== 'T' && now.cpuTicks - before >= BUSY_TICKS
    const mayWait = budgetMs === undefined || budgetMs > HELLO_TIMEOUT_MS
    if (!busy || !mayWait) throw wedgedAgent(client.socketPath, pid, first / 1000)
    try {
      return await client.call(routes.hello, {}, {timeoutMs: BUSY_HELLO_TIMEOUT_MS})
    } catch (again) {
      if (again instanceof HushError || !isAnswerTimeout(again)) throw again
      throw wedgedAgent(client.socketPath, pid, (first + BUSY_HELLO_TIMEOUT_MS) / 1000)
    }
  }
}

/** Core dumps off before the agent runs: `sh` sets RLIMIT_CORE to 0 (soft and hard), then execs it. */
const NO_CORE_SHELL = '/bin/sh'
const NO_CORE_SCRIPT = 'ulimit -c 0 && exec "$0" "$@"'

/** Starts the agent detached; the returned flag turns true if that process ends (ready or not). */
function spawnAgent(paths: HushPaths): {exited: boolean} {
  let out: number
  try {
    ensurePrivateDir(paths.home)
    out = openSync(paths.log, 'a', 0o600)
  } catch (error) {
    throw readOnlyError(error, paths.home) ?? error
  }
  const {file, args} = agentCommand()
  // Only the agent's own variables; HUSH_HOME is the store chosen here (a client may pick it by option).
  const env = {...agentEnvironment(process.env), HUSH_HOME: paths.home}
  const child = spawn(NO_CORE_SHELL, ['-c', NO_CORE_SCRIPT, file, ...args], {
    detached: true,
    stdio: ['ignore', out, out],
    env,
    cwd: paths.home,
  })
  const state = {exited: false}
  child.once('exit', () => {
    state.exited = true
  })
  child.unref()
  closeSync(out)
  return state
}

/** Takes the spawn lock without waiting; undefined while another command holds it. */
async function trySpawnLock(paths: HushPaths): Promise<(() => Promise<void>) | undefined> {
  const {default: lockfile} = await import('proper-lockfile')
  try {
    return await lockfile.lock(paths.runtimeDir, {
      lockfilePath: paths.spawnLock,
      // Kept fresh while held; a command killed while holding it frees it after this long.
      stale: 10_000,
      // Losing the lock is harmless: the agent's own start lock still admits a single agent.
      onCompromised: () => {},
    })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined
    throw error
  }
}

function lastLogLine(paths: HushPaths): string {
  try {
    const lines = readFileSync(paths.log, 'utf8').trim().split('\n')
    return lines[lines.length - 1]?.replace(/^\d{4}-\d\d-\d\dT\S+ \w+ |^hush: /, '') ?? ''
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

/**
 * Starts the agent and waits until it answers. Of several commands that find no agent at once,
 * only the one holding the spawn lock starts a process; the others wait for it to answer.
 */
async function startAgent(client: AgentClient, paths: HushPaths): Promise<Hello> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  let release: (() => Promise<void>) | undefined
  let spawned: {exited: boolean} | undefined
  let delay = 10
  try {
    while (Date.now() < deadline) {
      if (!release) {
        release = await trySpawnLock(paths)
        if (release) {
          // The command that held the lock before may have just started one.
          const hello = await tryHello(client)
          if (hello?.version === VERSION) return hello
          spawned = spawnAgent(paths)
        }
      }
      await sleep(delay)
      delay = Math.min(delay * 2, 100)
      const exited = spawned?.exited
      const hello = await tryHello(client)
      if (hello?.version === VERSION) return hello
      if (exited) break
    }
  } finally {
    await release?.()
  }
  const holder = storeOwner(paths)
  if (spawned?.exited && holder && holder.socket !== paths.socket) {
    throw new HushError(
      'store_locked',
      `The store ${paths.home} is held by another hush agent (pid ${holder.pid}, socket ${holder.socket}) that does not answer: stop it (kill ${holder.pid}), then try again.`,
    )
  }
  const reason = lastLogLine(paths)
  const what = spawned?.exited ? 'stopped before it was ready' : `did not start within ${READY_TIMEOUT_MS / 1000} s`
  throw new HushError('daemon_unreachable', `The hush agent ${what}${reason ? ` (${reason})` : ''}: see ${paths.log}.`)
}

/**
 * The agent that holds this store while listening on another socket (started with another
 * XDG_RUNTIME_DIR): one agent per store, so commands use it rather than start a second.
 */
async function holderConnection(paths: HushPaths): Promise<Connection | undefined> {
  const owner = trustedStoreOwner(paths)
  if (!owner || owner.socket === paths.socket) return undefined
  const client = new AgentClient(owner.socket)
  try {
    const hello = await tryHello(client)
    if (hello?.home === paths.home && hello.version === VERSION) return {client, hello}
  } catch (error) {
    await client.close()
    throw error
  }
  await client.close()
  return undefined
}

/** Connects to the agent of this store, starting it when needed. */
export async function connectAgent(
  paths: HushPaths,
  options: {start?: boolean; timeoutMs?: number} = {},
): Promise<Connection> {
  checkStoreHome(paths)
  ensureRuntimeDir(paths)
  const client = new AgentClient(paths.socket, {timeoutMs: options.timeoutMs})
  try {
    let hello = await tryHello(client, options.timeoutMs)
    if (hello && hello.version !== VERSION) {
      await client.call(routes.shutdown, {})
      await waitUntilGone(client)
      hello = undefined
    }
    if (hello) return {client, hello}
    const holder = await holderConnection(paths)
    if (holder) {
      await client.close()
      return holder
    }
    if (options.start === false) {
      throw new HushError('daemon_unreachable', 'The hush agent is not running: start it with `hush daemon start`.')
    }
    return {client, hello: await startAgent(client, paths)}
  } catch (error) {
    await client.close()
    throw error
  }
}
