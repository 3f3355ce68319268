// The test engine's Swarm: the e2e global setup (and `npm run bench`) makes one (`docker swarm init
// --advertise-addr 127.0.0.1`) when the engine has none, and leaves it again at the end, so the
// engine ends as it was found. A swarm that was already there is never touched. Several runs may
// share the engine (one machine, several developers): each registers as a holder, and only the last
// holder of a swarm the tests made leaves it. Plain JavaScript (types in swarm-engine.d.ts): the
// benchmarks run without a TypeScript loader.
import {execFile} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)

/** `docker ARGS`: {stdout, stderr, exitCode}, never throws for a failing command. */
async function docker(args) {
  try {
    const {stdout, stderr} = await run('docker', args)
    return {stdout, stderr, exitCode: 0}
  } catch (error) {
    return {stdout: error.stdout ?? '', stderr: error.stderr ?? error.message, exitCode: error.code ?? 1}
  }
}

/** The swarm state of the engine at `host` (the test engine when undefined). */
export async function swarmInfo(host) {
  const result = await docker([...(host ? ['-H', host] : []), 'info', '--format', '{{json .Swarm}}'])
  if (result.exitCode !== 0) throw new Error(`docker info: ${result.stderr.trim()}`)
  const swarm = JSON.parse(result.stdout)
  return {state: swarm.LocalNodeState, nodeId: swarm.NodeID, nodeAddr: swarm.NodeAddr, manager: swarm.ControlAvailable}
}

/** Where the runs sharing this engine keep track of a swarm the tests made, and of who uses it. */
const REGISTRY = process.env.HUSH_TEST_SWARM_DIR ?? '/tmp/hush-test-swarm'
const LOCK = `${REGISTRY}.lock`
/** {nodeId, gwbridgeBefore}: the swarm the tests made, and whether docker_gwbridge existed before it. */
const MADE = join(REGISTRY, 'made.json')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function running(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

/** Takes the registry's lock (a directory; a dead owner's lock, or one that never got an owner, is broken). */
async function lock() {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(50)) {
    try {
      mkdirSync(LOCK)
      writeFileSync(join(LOCK, 'pid'), String(process.pid))
      return
    } catch {
      let owner = 0
      try {
        owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8').trim())
      } catch {
        const stat = statSync(LOCK, {throwIfNoEntry: false})
        owner = stat && Date.now() - stat.mtimeMs > 10_000 ? -1 : 0
      }
      if (owner === -1 || (owner > 0 && !running(owner))) rmSync(LOCK, {recursive: true, force: true})
    }
  }
  throw new Error(`${LOCK} stayed locked for two minutes`)
}

async function locked(work) {
  await lock()
  try {
    return await work()
  } finally {
    rmSync(LOCK, {recursive: true, force: true})
  }
}

function readMade() {
  try {
    return JSON.parse(readFileSync(MADE, 'utf8'))
  } catch {
    return undefined
  }
}

/** How many live runs hold the swarm the tests made (dead holders are forgotten). */
function liveHolders() {
  let live = 0
  for (const name of readdirSync(REGISTRY)) {
    const pid = Number(/^holder-(\d+)$/.exec(name)?.[1])
    if (!pid) continue
    if (running(pid)) live++
    else rmSync(join(REGISTRY, name), {force: true})
  }
  return live
}

const gwbridgeExists = async () => (await docker(['network', 'inspect', 'docker_gwbridge'])).exitCode === 0

/**
 * Makes sure the test engine is a swarm manager. Returns the teardown: it leaves the swarm (and
 * removes the docker_gwbridge network the swarm brought) only when the tests made that swarm and
 * no other run still holds it.
 */
export async function holdTestSwarm() {
  const holder = join(REGISTRY, `holder-${process.pid}`)
  await locked(async () => {
    mkdirSync(REGISTRY, {recursive: true, mode: 0o700})
    const before = await swarmInfo()
    if (before.state === 'inactive') {
      const gwbridgeBefore = await gwbridgeExists()
      const init = await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1'])
      if (init.exitCode !== 0) throw new Error(`docker swarm init failed: ${init.stderr.trim()}`)
      writeFileSync(MADE, JSON.stringify({nodeId: (await swarmInfo()).nodeId, gwbridgeBefore}))
    } else if (readMade()?.nodeId !== before.nodeId) {
      // Not a swarm the tests made (or no longer): never theirs to leave.
      rmSync(MADE, {force: true})
    }
    writeFileSync(holder, '')
  })
  return () =>
    locked(async () => {
      rmSync(holder, {force: true})
      const made = readMade()
      if (!made || liveHolders() > 0) return
      rmSync(MADE, {force: true})
      const now = await swarmInfo()
      if (now.state === 'inactive' || now.nodeId !== made.nodeId) return
      await docker(['swarm', 'leave', '--force'])
      // Task containers go away shortly after the leave; the bridge can be removed once they have.
      for (let i = 0; !made.gwbridgeBefore && i < 120 && (await gwbridgeExists()); i++) {
        if ((await docker(['network', 'rm', 'docker_gwbridge'])).exitCode !== 0) await sleep(500)
      }
    })
}
