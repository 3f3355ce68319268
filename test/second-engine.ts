// A second Docker engine for the remote-engine tests: its own dockerd with its own data, exec
// root, pid file and socket, in its OWN network namespace (a dockerd with --bridge none in the
// host's namespace would delete the first engine's docker0 bridge). Registered as a docker
// context in a private DOCKER_CONFIG; stop() tears everything down, also after a failure.
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
  docker(args: string[]): Promise<{stdout: string; exitCode: number}>
  stop(): Promise<void>
}

/** Undefined when a second engine can be started here (root, ip, nsenter, dockerd), else why not. */
export async function secondEngineProblem(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'a second dockerd needs root'
  for (const tool of ['ip', 'nsenter', 'dockerd']) {
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

export async function startSecondEngine(image: string): Promise<SecondEngine> {
  const tag = `hi13${process.pid}`
  const dir = mkdtempSync('/tmp/hush-engine-')
  const netns = `hush-${tag}`
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
    await execa('umount', ['-R', join(dir, 'data')], {reject: false})
    rmSync(dir, {recursive: true, force: true})
  }
  running.add(stop)
  try {
    await execa('ip', ['netns', 'add', netns])
    const daemon = execa(
      'nsenter',
      [
        `--net=/var/run/netns/${netns}`,
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
  return {host, dockerConfig, context, docker, stop}
}
