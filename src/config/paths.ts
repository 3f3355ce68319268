// Where one hush store lives: its state directory (HUSH_HOME, else the XDG data directory)
// and the private runtime directory that holds the agent's socket.
import {lstatSync, mkdirSync, statfsSync} from 'node:fs'
import {homedir} from 'node:os'
import {basename, join, resolve} from 'node:path'
import {HushError} from '../api/errors.js'
import {sha256Hex} from './digest.js'
import {FOREIGN_HOME, FOREIGN_INSIDE, privateDirProblem, uid} from './private-dir.js'

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

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HUSH_HOME) return resolve(env.HUSH_HOME)
  const dataHome = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(dataHome, 'hush')
}

/**
 * $XDG_RUNTIME_DIR when it really is the user's own private directory (a directory, not a symlink,
 * owned by the user, closed to group and others); else undefined, and nothing of hush goes under it.
 */
export function privateRuntimeDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const xdg = env.XDG_RUNTIME_DIR
  if (!xdg) return undefined
  try {
    if (!privateDirProblem(xdg, lstatSync(xdg))) return xdg
  } catch {
    // missing: not usable
  }
  return undefined
}

/** Node's os.tmpdir() on Linux, read from `env` (TMPDIR, TMP or TEMP, else /tmp; no trailing slash). */
function tempDir(env: NodeJS.ProcessEnv): string {
  const dir = env.TMPDIR || env.TMP || env.TEMP || '/tmp'
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir
}

function runtimeBase(env: NodeJS.ProcessEnv): string {
  return privateRuntimeDir(env) ?? tempDir(env)
}

/** How many other names `userDir` tries after `hush-UID` (`hush-UID.1` ... `hush-UID.63`). */
const MORE_USER_DIRS = 63

/**
 * hush's directory of this user under `base` (a shared one such as /tmp or /dev/shm, or a private
 * runtime directory): `hush-UID`, or when another user holds that name (pre-created, to squat it or
 * to serve a fake agent), the first of `hush-UID.1` ... `hush-UID.63` that is the user's or free.
 * Another user's entry is never used and never a dead end. The Python SDK keeps the same rule
 * (python/hush/_paths.py).
 */
export function userDir(base: string): string {
  const name = `hush-${uid()}`
  for (let n = 0; n <= MORE_USER_DIRS; n++) {
    const dir = join(base, n === 0 ? name : `${name}.${n}`)
    try {
      if (lstatSync(dir).uid === uid()) return dir
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return dir
    }
  }
  throw new HushError(
    'insecure_path',
    `Other users hold every name hush tries in ${base} (${name} to ${name}.${MORE_USER_DIRS}): set XDG_RUNTIME_DIR to a private directory of yours (mode 0700).`,
  )
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): HushPaths {
  const home = resolveHome(env)
  const tag = sha256Hex(home, 16)
  let runtimeDir = join(userDir(runtimeBase(env)), tag)
  if (Buffer.byteLength(join(runtimeDir, 'agent.sock')) > MAX_SOCKET_PATH) runtimeDir = join(userDir('/tmp'), tag)
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
export function ensurePrivateDir(dir: string, ifForeign = FOREIGN_HOME): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const stat = lstatSync(dir)
  const problem = privateDirProblem(dir, stat, ifForeign)
  if (problem) throw new HushError('insecure_path', `Refusing to use ${dir}: ${problem}.`)
}

/** The fix for a directory that another user created under a shared name after hush chose it (userDir). */
const FOREIGN_SHARED = 'run the command again (hush then picks another name beside it)'

/** The runtime directory and its `hush-UID` parent are both private. */
export function ensureRuntimeDir(paths: HushPaths): void {
  ensureUserDir(paths.runtimeDir)
}

/** Creates `dir` and its parent (a `userDir`) private, or refuses them. */
export function ensureUserDir(dir: string): void {
  ensurePrivateDir(resolve(dir, '..'), FOREIGN_SHARED)
  ensurePrivateDir(dir, FOREIGN_INSIDE)
}

const TMPFS_MAGIC = 0x01021994

/** True when `dir` is on a tmpfs (memory only: what hush writes there never reaches a disk). */
export function isTmpfs(dir: string): boolean {
  try {
    return statfsSync(dir).type === TMPFS_MAGIC
  } catch {
    return false
  }
}

/**
 * Where env-files and secret files may go, best first: $XDG_RUNTIME_DIR when it is the user's own
 * (never another user's or a shared one); for root, /run (root's own, and no container mounts it
 * for shared memory); /dev/shm last, which `-v /dev/shm:/dev/shm` and `--ipc host` reach
 * (daemon/deployments/host-mounts.ts refuses those then). Only a tmpfs one is used.
 */
export function envFileBases(env: NodeJS.ProcessEnv = process.env): string[] {
  return [privateRuntimeDir(env), uid() === 0 ? '/run' : undefined, '/dev/shm'].filter((dir): dir is string =>
    Boolean(dir),
  )
}

/** The private env-file directory of this store: `hush-UID/TAG` in the first tmpfs of envFileBases. */
export function envFileDir(paths: HushPaths, env: NodeJS.ProcessEnv = process.env): string {
  const bases = envFileBases(env)
  const base = bases.find(isTmpfs)
  if (!base) {
    throw new HushError(
      'no_tmpfs',
      `No tmpfs to hold the env-file during \`docker run\` (tried ${bases.join(', ')}): mount one at /dev/shm or set XDG_RUNTIME_DIR to a tmpfs directory of yours.`,
    )
  }
  return join(userDir(base), basename(paths.runtimeDir))
}
