// The agent's life: guard its own process, take the store's lock (one agent per store) and the
// start lock, make sure no other agent answers on the socket, clear a stale socket, listen with a
// private umask, then serve until stopped or idle for too long; stopping lets requests in flight
// (a `docker run`) finish.
import {chmodSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import lockfile from 'proper-lockfile'
import {ensurePrivateDir, ensureRuntimeDir, type HushPaths} from '../config/paths.js'
import {loadSodium} from '../crypto/sodium.js'
import {VERSION} from '../version.js'
import {Agent} from './agent.js'
import {handlers} from './http/handlers/index.js'
import {createApiServer} from './http/server.js'
import {guardAgentProcess} from './process/guard.js'
import {log} from './process/log.js'
import {lockStore} from './process/store-lock.js'

/** How long a second agent waits for the store's lock (an agent that is stopping finishes its requests). */
const STORE_LOCK_WAIT_MS = 5_000
/** How long a stopping agent lets requests in flight finish before it closes their connections. */
const STOP_GRACE_MS = 60_000

export interface AgentOptions {
  /** Exit after this many milliseconds without a request; 0 keeps the agent up. */
  idleTimeoutMs: number
}

/** True when something accepts connections on the socket. */
export function socketAnswers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socket)
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    probe.once('error', () => resolve(false))
  })
}

/** Runs the agent in this process. Resolves when it has stopped; `false` if another agent owns the store. */
export async function runAgent(paths: HushPaths, options: AgentOptions): Promise<boolean> {
  process.umask(0o077)
  ensurePrivateDir(paths.home)
  ensureRuntimeDir(paths)
  guardAgentProcess(paths, log)
  const storeLock = await lockStore(paths, STORE_LOCK_WAIT_MS)

  const release = await lockfile.lock(paths.runtimeDir, {
    lockfilePath: paths.startLock,
    stale: 5_000,
    retries: {retries: 100, minTimeout: 20, maxTimeout: 200},
  })
  let agent: Agent
  let server: ReturnType<typeof createApiServer>
  try {
    if (await socketAnswers(paths.socket)) {
      log.info('another hush agent already answers on this socket; exiting')
      storeLock.release()
      return false
    }
    rmSync(paths.socket, {force: true})
    const sodium = await loadSodium()
    let stopping = false
    const stop = () => {
      if (stopping) return
      stopping = true
      log.info('stopping')
      server.drain(STOP_GRACE_MS)
    }
    agent = new Agent(paths, sodium, stop)
    if (agent.store.copiedFrom)
      log.warn(
        `this store is a copy of the one at ${agent.store.copiedFrom}: its containers now carry a label id of its own (${agent.store.labelId}), and the original's are left alone`,
      )
    await agent.open()
    let busy = 0
    let idleTimer: NodeJS.Timeout | undefined
    const armIdle = () => {
      clearTimeout(idleTimer)
      if (options.idleTimeoutMs > 0 && busy === 0) {
        idleTimer = setTimeout(() => {
          log.info(`idle for ${options.idleTimeoutMs} ms`)
          stop()
        }, options.idleTimeoutMs)
        idleTimer.unref()
      }
    }
    server = createApiServer(agent, handlers, log, {
      onActivity(isBusy) {
        busy += isBusy ? 1 : -1
        if (isBusy) clearTimeout(idleTimer)
        else armIdle()
      },
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(paths.socket, () => resolve())
    })
    chmodSync(paths.socket, 0o600)
    writeFileSync(paths.pidFile, `${process.pid}\n`)
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, stop)
    armIdle()
    log.info(`hush agent ${VERSION} (pid ${process.pid}) listening on ${paths.socket} for ${paths.home}`)
  } finally {
    await release()
  }
  // Containers outlive the agent: catch up with what docker did while it was away.
  agent.deployments.reconcile().catch((error: unknown) => log.error('reconciling deployments failed', error))

  await new Promise<void>((resolve) => server.once('close', () => resolve()))
  agent.close()
  storeLock.release()
  // Remove the socket and pid file only while they are still ours.
  try {
    if (readFileSync(paths.pidFile, 'utf8').trim() === String(process.pid)) {
      rmSync(paths.socket, {force: true})
      rmSync(paths.pidFile, {force: true})
    }
  } catch {
    // already gone
  }
  log.info('stopped')
  return true
}
