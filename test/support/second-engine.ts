// A second Docker engine for the remote-engine tests: its own dockerd with its own data, exec
// root, pid file and socket, in its OWN network namespace (a dockerd with --bridge none in the
// host's namespace would delete the first engine's docker0 bridge). Registered as a docker
// context in a private DOCKER_CONFIG; stop() tears everything down, also after a failure. With
// `link`, the namespace is joined to the host by a veth pair on a bridge with private addresses
// (a Swarm node, test/support/swarm-cluster.ts), and the engine gets a hostname of its own.
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {isAlive, waitFor} from './helpers.js'

export interface SecondEngine {
  /** `unix://...` socket of the engine. */
  host: string
  /** DOCKER_CONFIG holding the context. */
  dockerConfig: string
  context: string
  /** The network namespace the engine runs in (/var/run/netns/NAME). */
  netns: string
  /** The engine's data root. */
  dataRoot: string
  /** The dockerd's pid file. */
  pidFile: string
  /** With `link`: the engine's address, and the host's on the bridge between them. */
  link?: {address: string; hostAddress: string}
  /** With `link`: the engine's own hostname. */
  hostname?: string
  docker(args: string[]): Promise<{stdout: string; exitCode: number}>
  stop(): Promise<void>
}

export interface SecondEngineOptions {
  /** Join the namespace to the host (veth + bridge, 10.231.N.0/24), with its own hostname. */
  link?: boolean
}

/** Undefined when a second engine can be started here (root, ip, nsenter, dockerd), else why not. */
export async function secondEngineProblem(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'a second dockerd needs root'
  for (const tool of ['ip', 'nsenter', 'unshare', 'dockerd']) {
    const found = await execa('sh', ['-c', `command -v ${tool}`], {reject: false})
    if (found.exitCode !== 0) return `${tool} is not installed`
  }
  return undefined
}

/** The teardown of every engine started and not yet stopped (also one that failed to start). */
const running = new Set<() => Promise<void>>()

export async function stopSecondEngines(): Promise<void> {
  for (const stop of [...running]) await stop()
}

let started = 0

/** A /24 in 10.231.0.0/16 that no interface of the host uses yet. */
async function freeSubnet(): Promise<number> {
  const {stdout} = await execa('ip', ['-4', '-o', 'addr', 'show'], {stdin: 'ignore'})
  for (let i = 0; i < 250; i++) {
    const n = (process.pid + i) % 250
    if (!stdout.includes(` 10.231.${n}.`)) return n
  }
  throw new Error('no free subnet in 10.231.0.0/16')
}

export async function startSecondEngine(image: string, options: SecondEngineOptions = {}): Promise<SecondEngine> {
  const tag = `hi${process.pid}x${started++}`
  const dir = mkdtempSync('/tmp/hush-engine-')
  const netns = `hush-${tag}`
  // Interface names are at most 15 characters.
  const bridge = `hb${tag}`
  const veth = `hv${tag}`
  const hostname = options.link ? `hush-node-${tag}` : undefined
  let link: SecondEngine['link']
  const socket = join(dir, 'docker.sock')
  const host = `unix://${socket}`
  const pidFile = join(dir, 'dockerd.pid')
  const dockerConfig = join(dir, 'docker-config')
  const context = `hush-second-${tag}`
  writeFileSync(join(dir, 'daemon.json'), '{}')
  let pid: number | undefined
  const docker = async (args: string[]) => {
    const result = await execa('docker', ['-H', host, ...args], {reject: false, stdin: 'ignore'})
    return {stdout: result.stdout, exitCode: result.exitCode ?? -1}
  }
  const stop = async () => {
    running.delete(stop)
    pid ??= existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined
    if (pid !== undefined && isAlive(pid)) {
      const ids = (await docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean)
      if (ids.length) await docker(['rm', '-f', ...ids])
      process.kill(pid, 'SIGTERM')
      await waitFor(() => !isAlive(pid!), 30_000).catch(() => process.kill(pid!, 'SIGKILL'))
    }
    await execa('ip', ['netns', 'del', netns], {reject: false})
    if (options.link) await execa('ip', ['link', 'del', bridge], {reject: false})
    await execa('umount', ['-R', join(dir, 'data')], {reject: false})
    rmSync(dir, {recursive: true, force: true})
  }
  running.add(stop)
  try {
    await execa('ip', ['netns', 'add', netns])
    if (options.link) link = await linkNamespace(netns, bridge, veth)
    // `unshare --uts` (a hostname of its own) remounts nothing, unlike `ip netns exec`.
    const prefix = hostname ? ['unshare', '--uts', 'sh', '-c', `hostname ${hostname} && exec "$@"`, 'sh'] : []
    const daemon = execa(
      'nsenter',
      [
        `--net=/var/run/netns/${netns}`,
        ...prefix,
        'dockerd',
        '--config-file',
        join(dir, 'daemon.json'),
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'x'),
        '--pidfile',
        pidFile,
        '-H',
        host,
        '--bridge',
        'none',
        '--iptables=false',
        '--ip6tables=false',
      ],
      {detached: true, stdio: ['ignore', 'ignore', 'ignore'], reject: false},
    )
    daemon.catch(() => undefined)
    await waitFor(async () => existsSync(pidFile) && (await docker(['version'])).exitCode === 0, 60_000)
    pid = Number(readFileSync(pidFile, 'utf8').trim())
    await execa('sh', ['-c', 'docker save "$1" | docker -H "$2" load', 'sh', image, host], {stdin: 'ignore'})
    await execa('docker', ['context', 'create', context, '--docker', `host=${host}`], {
      env: {DOCKER_CONFIG: dockerConfig},
    })
  } catch (error) {
    await stop()
    throw error
  }
  return {host, dockerConfig, context, netns, dataRoot: join(dir, 'data'), pidFile, link, hostname, docker, stop}
}

/**
 * A bridge on the host and a veth pair from it into `netns`, with 10.231.N.1 (host) and 10.231.N.2
 * (namespace). No default route in the namespace: a registry lookup there fails at once instead of
 * waiting for a DNS timeout before the engine falls back to its local image.
 */
async function linkNamespace(netns: string, bridge: string, veth: string): Promise<NonNullable<SecondEngine['link']>> {
  const n = await freeSubnet()
  const hostAddress = `10.231.${n}.1`
  const address = `10.231.${n}.2`
  const ip = (args: string[]) => execa('ip', args, {stdin: 'ignore'})
  const inside = (args: string[]) => execa('ip', ['-n', netns, ...args], {stdin: 'ignore'})
  await ip(['link', 'add', bridge, 'type', 'bridge'])
  await ip(['addr', 'add', `${hostAddress}/24`, 'dev', bridge])
  await ip(['link', 'set', bridge, 'up'])
  await ip(['link', 'add', `${veth}a`, 'type', 'veth', 'peer', 'name', `${veth}b`])
  await ip(['link', 'set', `${veth}b`, 'netns', netns])
  await ip(['link', 'set', `${veth}a`, 'master', bridge, 'up'])
  await inside(['link', 'set', 'lo', 'up'])
  await inside(['addr', 'add', `${address}/24`, 'dev', `${veth}b`])
  await inside(['link', 'set', `${veth}b`, 'up'])
  return {address, hostAddress}
}
