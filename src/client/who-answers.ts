// Who answers on the agent's socket. Before a client (the CLI, shell completion, the TypeScript SDK)
// sends anything: the store directory and its agent.owner, the socket's directory and the socket
// itself are the user's, and the process at the other end of the connection runs as the user (or
// as root: a system agent), by the kernel's word (SO_PEERCRED). The Python SDK keeps the same
// checks (python/hush/_transport.py). A refusal is one line: what is wrong, and the fix.
import {lstatSync, readFileSync, type Stats} from 'node:fs'
import type {Socket} from 'node:net'
import {dirname} from 'node:path'
import {HushError} from '../api/errors.js'
import type {HushPaths} from '../config/paths.js'
import {type PeerCredentials, peerCredentials} from '../config/peer-credentials.js'
import {FOREIGN_INSIDE, privateDirProblem, uid} from '../config/private-dir.js'
import {type StoreOwner, storeOwner, storeOwnerFile} from '../config/store-owner.js'

/** The user, and root (whose agent would be a system one): the only owners a client trusts. */
function trusted(owner: number): boolean {
  return owner === uid() || owner === 0
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

function refuse(what: string, problem: string): HushError {
  return new HushError('insecure_path', `Refusing to talk to the hush agent through ${what}: ${problem}.`)
}

/** The store directory, when it exists, is a private directory of the user's (the rule the agent starts under). */
export function checkStoreHome(paths: HushPaths): void {
  const stat = lstatOrUndefined(paths.home)
  const problem = stat && privateDirProblem(paths.home, stat)
  if (problem) throw refuse(paths.home, problem)
}

/** The socket's directory is a private directory of the user's, and the socket (if any) is the user's or root's. */
export function checkSocketPath(socket: string): void {
  const dir = dirname(socket)
  const dirStat = lstatOrUndefined(dir)
  if (!dirStat) return
  const problem = privateDirProblem(dir, dirStat, FOREIGN_INSIDE)
  if (problem) throw refuse(dir, problem)
  const stat = lstatOrUndefined(socket)
  if (stat && !stat.isSocket()) throw refuse(socket, `it is not a socket: remove it (\`rm ${socket}\`), then try again`)
  if (stat && !trusted(stat.uid)) {
    throw refuse(socket, `it belongs to another user (uid ${stat.uid}): remove it (\`rm ${socket}\`), then try again`)
  }
}

/** The process at the other end of a connected socket runs as the user or root; its credentials. */
export function checkPeer(connection: Socket, socket: string): PeerCredentials {
  const peer = peerCredentials(connection)
  if (!trusted(peer.uid)) {
    throw refuse(
      socket,
      `the process listening there (pid ${peer.pid}) runs as another user (uid ${peer.uid}), so it is not your hush agent and nothing was sent; remove the socket (\`rm ${socket}\`), then try again`,
    )
  }
  return peer
}

/**
 * The agent that `agent.owner` names, once the store directory and the file are the user's (another
 * user who could write them would name their own socket); its socket is checked when connecting.
 */
export function trustedStoreOwner(paths: HushPaths): StoreOwner | undefined {
  checkStoreHome(paths)
  const file = storeOwnerFile(paths)
  const stat = lstatOrUndefined(file)
  if (!stat) return undefined
  if (!stat.isFile()) throw refuse(file, `it is not a regular file: remove it (\`rm ${file}\`), then try again`)
  if (stat.uid !== uid()) {
    throw refuse(file, `it belongs to another user (uid ${stat.uid}): remove it (\`rm ${file}\`), then try again`)
  }
  if ((stat.mode & 0o022) !== 0) {
    throw refuse(file, `others can write to it: remove it (\`rm ${file}\`); the agent writes it again`)
  }
  return storeOwner(paths)
}

/** A process's state (`R` running, `S` sleeping, `T` stopped, ...) and CPU time used (clock ticks), from /proc. */
export function processStat(pid: number): {state: string; cpuTicks: number} | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // After "pid (comm) ": state is field 3, utime and stime fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return {state: fields[0], cpuTicks: Number(fields[11]) + Number(fields[12])}
  } catch {
    return undefined
  }
}

/** The one line for an agent that accepted the connection and did not say hello in time. */
export function wedgedAgent(socket: string, pid: number | undefined, seconds: number): HushError {
  const who = pid === undefined ? 'The process on' : `The hush agent (pid ${pid}) on`
  const state = pid === undefined ? undefined : processStat(pid)?.state
  const fix =
    pid === undefined
      ? `stop the process that holds ${socket}, then try again`
      : state === 'T' || state === 't'
        ? `it is stopped: resume it (\`kill -CONT ${pid}\`) or end it (\`kill ${pid}\`), then try again`
        : `it is stuck: end it (\`kill ${pid}\`, or \`kill -9 ${pid}\`), then try again`
  return new HushError(
    'daemon_unreachable',
    `${who} ${socket} accepted the connection but did not answer within ${seconds} s; ${fix}.`,
    pid === undefined ? {} : {pid},
  )
}
