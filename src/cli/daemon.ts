// The agent as the CLI drives and describes it: `hush daemon start|status|stop`, the idle timeout
// of `hush daemon run`, and where the master key comes from in one line (daemon status, doctor).
import type {EngineStatus, Hello, KeyringStatus} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {usage} from './base.js'
import type {CommandContext} from './context.js'
import {describeEngine} from './engine-match.js'
import {describeUnlockCache} from './unlock-cache.js'

export type DaemonStatus =
  | ({running: true; keyringStatus: KeyringStatus; engine: EngineStatus} & Hello)
  | {running: false; socket: string; home: string}

/** `hush daemon start`: the agent found, or started in the background. */
export async function daemonStart(cmd: CommandContext): Promise<Hello> {
  const {hello} = await (await cmd.hush()).connection()
  cmd.log(`hush agent ${hello.version} running (pid ${hello.pid}) on ${hello.socket}`)
  return hello
}

/** `hush daemon status`: the running agent's facts (never starting one), or where it would be. */
export async function daemonStatus(cmd: CommandContext): Promise<DaemonStatus> {
  const paths = cmd.paths
  let hello: Hello
  let keyring: KeyringStatus
  let engine: EngineStatus
  try {
    const hush = await cmd.hush({start: false})
    hello = (await hush.connection()).hello
    keyring = await hush.keyringStatus()
    engine = await hush.engineStatus()
  } catch (error) {
    if (!(error instanceof HushError && error.code === 'daemon_unreachable')) throw error
    cmd.log(`hush agent: not running\nsocket:     ${paths.socket}\nstore:      ${paths.home}`)
    return {running: false, socket: paths.socket, home: paths.home}
  }
  cmd.log(
    [
      `hush agent: running (pid ${hello.pid}, version ${hello.version}, since ${hello.startedAt})`,
      `socket:     ${hello.socket}`,
      `store:      ${hello.home}`,
      `master key: ${describeMasterKey(hello, keyring)}`,
      `engine:     ${describeEngine(engine)}`,
    ].join('\n'),
  )
  return {running: true, ...hello, keyringStatus: keyring, engine}
}

/** `hush daemon stop`: asks a running agent to stop and waits until it has. */
export async function daemonStop(cmd: CommandContext): Promise<{stopped: boolean; pid?: number}> {
  const hush = await cmd.hush({start: false})
  let hello: Hello
  try {
    hello = (await hush.connection()).hello
  } catch (error) {
    if (error instanceof HushError && error.code === 'daemon_unreachable') {
      cmd.log('hush agent is not running.')
      return {stopped: false}
    }
    throw error
  }
  await hush.stopAgent()
  cmd.log(`hush agent stopped (pid ${hello.pid}).`)
  return {stopped: true, pid: hello.pid}
}

/**
 * `hush daemon run`'s idle timeout in seconds (0: never): the flag, else HUSH_IDLE_TIMEOUT, else
 * the idleTimeoutSeconds preference.
 */
export async function idleTimeoutSeconds(cmd: CommandContext, flag: number | undefined): Promise<number> {
  if (flag !== undefined) return flag
  const text = cmd.io.env.HUSH_IDLE_TIMEOUT
  if (text !== undefined) {
    const seconds = Number(text)
    if (!Number.isFinite(seconds) || seconds < 0)
      throw usage('HUSH_IDLE_TIMEOUT must be a number of seconds (0: never).')
    return seconds
  }
  const {openPreferences} = await import('../config/preferences.js')
  return (await openPreferences(cmd.paths.home)).idleTimeoutSeconds
}

/** The master key's home in one line, as checked now. */
export function describeMasterKey(hello: Pick<Hello, 'keyringAccount'>, keyring: KeyringStatus): string {
  if (keyring.keyring === 'os') {
    const entry = `service hush, account ${hello.keyringAccount}`
    return keyring.osKeyring?.reachable === false
      ? `OS keyring (not reachable: ${keyring.osKeyring.reason}; ${entry})`
      : `OS keyring (${entry})`
  }
  return keyring.sealed
    ? `passphrase, sealed (run \`hush unseal\`); ${describeUnlockCache(keyring.unlockCache)}`
    : `passphrase, unsealed; ${describeUnlockCache(keyring.unlockCache)}`
}
