// `hush doctor`: checks what hush needs on this machine and explains each finding with its fix:
// Node, the master key's home, the agent, the Docker engine (the agent's, and this shell's through
// the command's docker runner), the store.
import {lstatSync} from 'node:fs'
import type {Hello, KeyringStatus, StoreStatus} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {HushClient} from '../client/hush-client.js'
import type {HushPaths} from '../config/paths.js'
import type {CommandContext} from './base.js'
import {describeMasterKey} from './daemon.js'
import {compareEngines, describeEngine, ENGINE_FIX, type Shell} from './engine-match.js'
import {describeUnlockCache} from './unlock-cache.js'

type Level = 'ok' | 'warn' | 'fail'

interface Check {
  check:
    | 'node'
    | 'master key'
    | 'unlock cache'
    | 'agent'
    | 'socket'
    | 'docker client'
    | 'docker engine'
    | 'shell engine'
    | 'tmpfs'
    | 'store'
  level: Level
  detail: string
  /** What to do about it; null when nothing is needed. */
  fix: string | null
}

export interface DoctorReport {
  ok: boolean
  checks: Check[]
}

const ok = (check: Check['check'], detail: string): Check => ({check, level: 'ok', detail, fix: null})

/** Every check, one line each (with its fix), then the verdict; exit 1 when hush cannot do its job. */
export async function doctor(cmd: CommandContext): Promise<DoctorReport> {
  const checks: Check[] = [checkNode()]
  const hush = await cmd.hush()
  let hello: Hello | undefined
  try {
    hello = (await hush.connection()).hello
  } catch (error) {
    const failure = error instanceof HushError ? error : new HushError('internal', String(error))
    checks.push({check: 'agent', level: 'fail', detail: failure.message, fix: `read ${cmd.paths.log}`})
  }
  if (hello) checks.push(...(await checkAgent(hush, hello)))
  checks.push(
    ...(await checkDocker(cmd.paths, {env: cmd.io.env, docker: await cmd.docker()}, hello ? hush : undefined)),
  )
  const report = {ok: checks.every((check) => check.level !== 'fail'), checks}
  const mark: Record<Level, string> = {ok: 'ok  ', warn: 'warn', fail: 'FAIL'}
  for (const check of checks) {
    cmd.log(`${mark[check.level]} ${check.check}: ${check.detail}${check.fix ? `\n       fix: ${check.fix}` : ''}`)
  }
  cmd.log(report.ok ? 'hush can work here.' : 'hush cannot do its job here yet: see the fixes above.')
  if (!report.ok) cmd.io.exitCode = 1
  return report
}

/** This Node: bin/run.js has refused any line hush does not support before a command could run. */
function checkNode(): Check {
  return ok('node', `Node ${process.versions.node}`)
}

async function checkAgent(hush: HushClient, hello: Hello): Promise<Check[]> {
  const checks: Check[] = [ok('agent', `running (pid ${hello.pid}, version ${hello.version})`), checkSocket(hello)]
  const keyring: KeyringStatus = await hush.keyringStatus()
  checks.push(checkMasterKey(hello, keyring))
  if (keyring.keyring === 'passphrase') checks.push(checkUnlockCache(keyring))
  try {
    const store: StoreStatus = await hush.storeStatus()
    checks.push(
      ok(
        'store',
        `${hello.home}: opens, schema version ${store.schemaVersion}, ${store.secrets} secret${store.secrets === 1 ? '' : 's'}, ${store.deployments} deployment${store.deployments === 1 ? '' : 's'}`,
      ),
    )
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    checks.push({check: 'store', level: 'fail', detail: message, fix: 'restore the store from a backup'})
  }
  return checks
}

function checkSocket(hello: Hello): Check {
  try {
    const stat = lstatSync(hello.socket)
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0')
    if ((stat.mode & 0o077) === 0 && stat.uid === process.getuid?.())
      return ok('socket', `${hello.socket} (mode ${mode}, yours)`)
    return {
      check: 'socket',
      level: 'fail',
      detail: `${hello.socket} has mode ${mode} or another owner`,
      fix: 'run `hush daemon stop`, remove the socket, and run any command',
    }
  } catch (error) {
    return {
      check: 'socket',
      level: 'fail',
      detail: `${hello.socket}: ${(error as Error).message}`,
      fix: 'run `hush daemon stop` and try again',
    }
  }
}

function checkMasterKey(hello: Hello, keyring: KeyringStatus): Check {
  const detail = describeMasterKey(hello, keyring)
  if (keyring.keyring === 'os') {
    return keyring.osKeyring?.reachable === false
      ? {
          check: 'master key',
          level: 'fail',
          detail,
          fix: 'start a Secret Service (e.g. `eval "$(gnome-keyring-daemon --unlock)"` in a D-Bus session), or run `hush init --keyring passphrase`',
        }
      : ok('master key', detail)
  }
  return keyring.sealed
    ? {
        check: 'master key',
        level: 'fail',
        detail: 'passphrase mode, sealed',
        fix: 'run `hush unseal` (add `--ttl 12h` to limit how long it stays open)',
      }
    : ok('master key', 'passphrase mode, unsealed')
}

function checkUnlockCache(keyring: KeyringStatus): Check {
  const cache = keyring.unlockCache
  const detail = describeUnlockCache(cache)
  if (cache.state === 'present' || cache.state === 'off') return ok('unlock cache', detail)
  const fix =
    cache.state === 'unavailable'
      ? /not installed/.test(cache.problem ?? '')
        ? 'apt-get install keyutils, then `hush unseal` again'
        : 'allow the keyctl system call (some container sandboxes forbid it), or unseal after each agent start'
      : 'run `hush unseal` (its key replaces the entry)'
  return {check: 'unlock cache', level: 'warn', detail, fix}
}

const ENGINE_DOWN_FIX =
  'start the Docker engine (`systemctl start docker`) or point DOCKER_HOST / the docker context at one you may use'

/** The agent's docker engine (the one launches go to), and whether this shell's is the same. */
async function checkAgentEngine(hush: HushClient, here: Shell): Promise<Check[]> {
  const agent = await hush.engineStatus(true)
  const checks: Check[] = [
    agent.server
      ? ok('docker engine', `Docker Engine ${agent.server} at ${describeEngine(agent)}, the agent's`)
      : {
          check: 'docker engine',
          level: 'fail',
          detail: `${agent.problem}; the agent's engine: ${describeEngine(agent)}`,
          fix: `${ENGINE_DOWN_FIX}, then \`hush daemon stop\` so the agent starts again with it`,
        },
  ]
  const {shell, differ} = await compareEngines(hush, here, agent)
  if (differ && shell) {
    checks.push({
      check: 'shell engine',
      level: 'fail',
      detail: `this shell's docker engine is ${shell.host}, the agent's is ${agent.host}: submits from this shell are refused`,
      fix: ENGINE_FIX,
    })
  }
  return checks
}

async function checkDocker(paths: HushPaths, here: Shell, hush?: HushClient): Promise<Check[]> {
  const {dockerVersions} = await import('../config/docker.js')
  const {envFileDir} = await import('../config/paths.js')
  const checks: Check[] = []
  const versions = await dockerVersions(here.docker)
  if (versions.client === undefined) {
    checks.push({
      check: 'docker client',
      level: 'fail',
      detail: `${versions.command} not found`,
      fix: 'install the docker client (apt-get install docker.io), or set HUSH_DOCKER to its path',
    })
  } else {
    checks.push(ok('docker client', `${versions.command} ${versions.client}`))
    // The agent's engine is the one that matters (launches go there); without an agent, this shell's.
    if (!hush)
      checks.push(
        versions.server
          ? ok('docker engine', `Docker Engine ${versions.server}`)
          : {check: 'docker engine', level: 'fail', detail: `not reachable (${versions.error})`, fix: ENGINE_DOWN_FIX},
      )
  }
  if (hush) checks.push(...(await checkAgentEngine(hush, here)))
  try {
    checks.push(ok('tmpfs', `env-files go to ${envFileDir(paths, here.env)}`))
  } catch (error) {
    checks.push({
      check: 'tmpfs',
      level: 'fail',
      detail: (error as Error).message,
      fix: 'mount a tmpfs at /dev/shm, or set XDG_RUNTIME_DIR to a tmpfs directory of yours',
    })
  }
  return checks
}
