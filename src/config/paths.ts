// Where one hush store lives: its state directory (HUSH_HOME, else the XDG data directory)
// and the private runtime directory that holds the agent's socket.
import {lstatSync, mkdirSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {sha256} from '@noble/hashes/sha2.js'
import {bytesToHex, utf8ToBytes} from '@noble/hashes/utils.js'
import {HushError} from '../api/errors.js'

export interface HushPaths {
  /** The state directory: store, config, log. */
  home: string
  /** A 0700 directory of the user's, on a short path, for the socket and pid file. */
  runtimeDir: string
  socket: string
  pidFile: string
  /** Held by the agent while it starts (one agent per store, however it was started). */
  startLock: string
  /** Held by the one CLI that spawns the agent, so concurrent commands start a single process. */
  spawnLock: string
  log: string
  db: string
}

/** sun_path holds 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH = 107

function uid(): number {
  return process.getuid?.() ?? 0
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HUSH_HOME) return resolve(env.HUSH_HOME)
  const dataHome = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(dataHome, 'hush')
}

function runtimeBase(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_RUNTIME_DIR
  if (xdg) {
    try {
      const stat = lstatSync(xdg)
      if (stat.isDirectory() && stat.uid === uid()) return xdg
    } catch {
      // fall through to the temp directory
    }
  }
  return tmpdir()
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): HushPaths {
  const home = resolveHome(env)
  // SHA-256 from @noble/hashes, the same digest as node:crypto's, which every command would load just for this (~4 ms).
  const tag = bytesToHex(sha256(utf8ToBytes(home))).slice(0, 16)
  const leaf = join(`hush-${uid()}`, tag)
  let runtimeDir = join(runtimeBase(env), leaf)
  if (Buffer.byteLength(join(runtimeDir, 'agent.sock')) > MAX_SOCKET_PATH) runtimeDir = join('/tmp', leaf)
  return {
    home,
    runtimeDir,
    socket: join(runtimeDir, 'agent.sock'),
    pidFile: join(runtimeDir, 'agent.pid'),
    startLock: join(runtimeDir, 'start.lock'),
    spawnLock: join(runtimeDir, 'spawn.lock'),
    log: join(home, 'agent.log'),
    db: join(home, 'store.db'),
  }
}

/**
 * Creates `dir` (and parents) with mode 0700 when missing, then refuses a directory that is a
 * symlink, belongs to someone else or is open to group or others.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const stat = lstatSync(dir)
  if (!stat.isDirectory() || stat.uid !== uid() || (stat.mode & 0o077) !== 0) {
    throw new HushError(
      'insecure_path',
      `Refusing to use ${dir}: it must be a directory owned by you with mode 0700 (fix it with \`chmod 700 ${dir}\` or remove it).`,
    )
  }
}

/** The runtime directory and its `hush-UID` parent are both private. */
export function ensureRuntimeDir(paths: HushPaths): void {
  ensurePrivateDir(resolve(paths.runtimeDir, '..'))
  ensurePrivateDir(paths.runtimeDir)
}
