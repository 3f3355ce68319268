// A two-node Swarm for the tests: the test engine is the manager (the global setup makes it one,
// test/swarm-engine.ts) and a second dockerd in its own network namespace (test/support/second-engine.ts,
// linked by veth + bridge) joins it as a worker. stop() undoes all of it, also after a failure.
import {spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {execa} from 'execa'
import {isAlive, waitFor} from './helpers.js'
import {type SecondEngine, secondEngineProblem, startSecondEngine} from './second-engine.js'
import {swarmInfo} from './swarm-engine.js'

export interface SwarmWorker {
  engine: SecondEngine
  /** The worker's node id, as the manager lists it. */
  nodeId: string
  /** The worker's hostname (the node's name in `docker node ls` and in task lists). */
  hostname: string
  /** `docker -H <worker> ...`: the worker's own engine. */
  docker(args: string[]): Promise<{stdout: string; exitCode: number}>
  /** Stops the worker's dockerd (the node goes down, as a machine would); stop() still cleans up. */
  halt(): Promise<void>
  /** Worker leaves, node removed from the manager, dockerd stopped, namespace and bridge deleted. */
  stop(): Promise<void>
}

/** Undefined when a worker node can be made here (see secondEngineProblem, and a manager), else why not. */
export async function swarmClusterProblem(): Promise<string | undefined> {
  const problem = await secondEngineProblem()
  if (problem) return problem
  const info = await swarmInfo()
  return info.manager ? undefined : `the Docker engine is no swarm manager (swarm ${info.state})`
}

const SWARM_PORT = 2377

/**
 * Listens on ADDRESS:2377 inside the namespace and relays to the manager on the host. The worker
 * learns the manager's advertised address from the swarm; when that is 127.0.0.1 (the single-node
 * swarm of the tests), it is the worker itself inside its namespace, and every reconnection after
 * the join would fail without this relay. Swarm's TLS passes through unchanged.
 */
const RELAY = `
const net = require('node:net')
const [listenHost, targetHost, port] = process.argv.slice(1)
net.createServer((inbound) => {
  const outbound = net.connect(Number(port), targetHost)
  inbound.pipe(outbound).pipe(inbound)
  inbound.on('error', () => outbound.destroy())
  outbound.on('error', () => inbound.destroy())
}).listen(Number(port), listenHost)
`

export async function startSwarmWorker(image: string): Promise<SwarmWorker> {
  const manager = await swarmInfo()
  if (!manager.manager) throw new Error(`the test engine is no swarm manager (swarm ${manager.state})`)
  const engine = await startSecondEngine(image, {link: true})
  const link = engine.link!
  let relay: number | undefined
  let nodeId = ''
  const stop = async () => {
    if ((await engine.docker(['version'])).exitCode === 0) await engine.docker(['swarm', 'leave', '--force'])
    if (nodeId) await execa('docker', ['node', 'rm', '--force', nodeId], {reject: false, stdin: 'ignore'})
    if (relay !== undefined && isAlive(relay)) process.kill(relay, 'SIGKILL')
    await engine.stop()
  }
  try {
    if (manager.nodeAddr.startsWith('127.')) {
      const child = spawn(
        'nsenter',
        [
          `--net=/var/run/netns/${engine.netns}`,
          process.execPath,
          '-e',
          RELAY,
          manager.nodeAddr,
          link.hostAddress,
          String(SWARM_PORT),
        ],
        {detached: true, stdio: 'ignore'},
      )
      child.unref()
      relay = child.pid
    } else {
      // A manager advertised on one of the host's own addresses: reachable through the bridge.
      await execa('ip', ['-n', engine.netns, 'route', 'add', `${manager.nodeAddr}/32`, 'via', link.hostAddress])
    }
    const token = await execa('docker', ['swarm', 'join-token', '-q', 'worker'], {stdin: 'ignore'})
    const joined = await engine.docker([
      'swarm',
      'join',
      '--token',
      token.stdout.trim(),
      `${link.hostAddress}:${SWARM_PORT}`,
    ])
    if (joined.exitCode !== 0) throw new Error('the second engine could not join the swarm')
    nodeId = (await engine.docker(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim()
    await waitFor(async () => {
      const state = await execa('docker', ['node', 'inspect', nodeId, '--format', '{{.Status.State}}'], {
        reject: false,
        stdin: 'ignore',
      })
      return state.stdout.trim() === 'ready'
    }, 60_000)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    engine,
    nodeId,
    hostname: engine.hostname!,
    docker: engine.docker,
    async halt() {
      const pid = existsSync(engine.pidFile) ? Number(readFileSync(engine.pidFile, 'utf8').trim()) : 0
      if (pid && isAlive(pid)) {
        process.kill(pid, 'SIGTERM')
        await waitFor(() => !isAlive(pid), 60_000)
      }
    },
    stop,
  }
}
