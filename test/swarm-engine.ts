// The test engine's Swarm: the e2e global setup makes one (`docker swarm init --advertise-addr
// 127.0.0.1`) when the engine has none, and its teardown leaves it again, so the engine ends as it
// was found. A swarm that was already there is never touched. Several test runs may share the
// engine (one machine, several developers): each run registers as a holder, and only the last
// holder of a swarm the tests made leaves it.
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {isAlive, waitFor} from './helpers.js'

export interface SwarmInfo {
  /** docker's LocalNodeState: inactive, pending, active, error, locked. */
  state: string
  nodeId: string
  nodeAddr: string
  /** True on a manager. */
  manager: boolean
}

/** The swarm state of the engine at `host` (the test engine when undefined). */
export async function swarmInfo(host?: string): Promise<SwarmInfo> {
  const hostArgs = host ? ['-H', host] : []
  const result = await execa('docker', [...hostArgs, 'info', '--format', '{{json .Swarm}}'], {stdin: 'ignore'})
  const swarm = JSON.parse(result.stdout) as {
    LocalNodeState: string
    NodeID: string
    NodeAddr: string
    ControlAvailable: boolean
  }
  return {state: swarm.LocalNodeState, nodeId: swarm.NodeID, nodeAddr: swarm.NodeAddr, manager: swarm.ControlAvailable}
}

/** Where the runs sharing this engine keep track of a swarm the tests made, and of who uses it. */
const REGISTRY = process.env.HUSH_TEST_SWARM_DIR ?? '/tmp/hush-test-swarm'
const LOCK = `${REGISTRY}.lock`
/** The node id of the swarm the tests made, and whether docker_gwbridge existed before it. */
const MADE = join(REGISTRY, 'made.json')

interface Made {
  nodeId: string
  gwbridgeBefore: boolean
}

/** Runs `work` holding the registry's lock (a directory; a dead owner's lock is broken). */
async function locked<T>(work: () => Promise<T>): Promise<T> {
  await waitFor(() => {
    try {
      mkdirSync(LOCK)
      writeFileSync(join(LOCK, 'pid'), String(process.pid))
      return true
    } catch {
      // Held: broken when its owner is dead, or when it never got an owner (killed right after mkdir).
      let owner = 0
      try {
        owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8').trim())
      } catch {
        const stat = statSync(LOCK, {throwIfNoEntry: false})
        owner = stat && Date.now() - stat.mtimeMs > 10_000 ? -1 : 0
      }
      if (owner === -1 || (owner > 0 && !isAlive(owner))) rmSync(LOCK, {recursive: true, force: true})
      return false
    }
  }, 120_000)
  try {
    return await work()
  } finally {
    rmSync(LOCK, {recursive: true, force: true})
  }
}

function readMade(): Made | undefined {
  try {
    return JSON.parse(readFileSync(MADE, 'utf8')) as Made
  } catch {
    return undefined
  }
}

/** Pids of the live runs holding the swarm the tests made (dead ones are forgotten). */
function liveHolders(): number[] {
  const live: number[] = []
  for (const name of existsSync(REGISTRY) ? readdirSync(REGISTRY) : []) {
    const match = /^holder-(\d+)$/.exec(name)
    if (!match) continue
    if (isAlive(Number(match[1]))) live.push(Number(match[1]))
    else rmSync(join(REGISTRY, name), {force: true})
  }
  return live
}

async function networkExists(name: string): Promise<boolean> {
  const result = await execa('docker', ['network', 'inspect', name], {reject: false, stdin: 'ignore'})
  return result.exitCode === 0
}

/**
 * Makes sure the test engine is a swarm manager. Returns the teardown: it leaves the swarm (and
 * removes the docker_gwbridge network the swarm brought) only when the tests made that swarm and
 * no other run still holds it.
 */
export async function holdTestSwarm(): Promise<() => Promise<void>> {
  const holder = join(REGISTRY, `holder-${process.pid}`)
  await locked(async () => {
    mkdirSync(REGISTRY, {recursive: true, mode: 0o700})
    const before = await swarmInfo()
    const made = readMade()
    if (before.state === 'inactive') {
      const gwbridgeBefore = await networkExists('docker_gwbridge')
      const init = await execa('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1'], {
        reject: false,
        stdin: 'ignore',
      })
      if (init.exitCode !== 0) throw new Error(`docker swarm init failed: ${init.stderr.trim()}`)
      const after = await swarmInfo()
      writeFileSync(MADE, JSON.stringify({nodeId: after.nodeId, gwbridgeBefore} satisfies Made))
    } else if (made && made.nodeId !== before.nodeId) {
      // Someone else's swarm now: what the tests once made is gone.
      rmSync(MADE, {force: true})
    }
    writeFileSync(holder, '')
  })
  return () =>
    locked(async () => {
      rmSync(holder, {force: true})
      const made = readMade()
      if (!made || liveHolders().length > 0) return
      const now = await swarmInfo()
      rmSync(MADE, {force: true})
      if (now.state === 'inactive' || now.nodeId !== made.nodeId) return
      await execa('docker', ['swarm', 'leave', '--force'], {stdin: 'ignore'})
      if (made.gwbridgeBefore) return
      // Task containers go away shortly after the leave; the bridge can be removed once they have.
      await waitFor(
        async () =>
          !(await networkExists('docker_gwbridge')) ||
          (await execa('docker', ['network', 'rm', 'docker_gwbridge'], {reject: false, stdin: 'ignore'})).exitCode ===
            0,
        60_000,
      ).catch(() => undefined)
    })
}

/**
 * For a Swarm test file: true when the test engine is a swarm manager (the global setup makes it
 * one). Locally, without one the tests are skipped with a loud reason; under CI=true it is a failure.
 */
export async function swarmAvailable(file: string): Promise<boolean> {
  const problem = await swarmInfo()
    .then((info) => (info.manager ? undefined : `the Docker engine is no swarm manager (swarm ${info.state})`))
    .catch((error: Error) => `docker does not answer: ${error.message.split('\n')[0]}`)
  if (!problem) return true
  if (process.env.CI === 'true') throw new Error(`${file}: ${problem} (CI=true: the Swarm tests must run)`)
  process.stderr.write(`\n!!! SKIPPING the Swarm tests of ${file}: ${problem}\n\n`)
  return false
}
