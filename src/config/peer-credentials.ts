// Who is on the other end of a connected Unix socket, as the kernel says: `getsockopt(SO_PEERCRED)`
// (Linux), called through koffi's native module (koffi-native.ts), on the fd of a node:net socket.
// Used by the clients (who answers) and usable by the agent (who asks). The only place that
// reaches into a socket's handle.
import type {Socket} from 'node:net'
import {koffiNative} from './koffi-native.js'

export interface PeerCredentials {
  pid: number
  uid: number
  gid: number
}

const SOL_SOCKET = 1
const SO_PEERCRED = 17
/** struct ucred: pid_t pid, uid_t uid, gid_t gid (three 32-bit integers). */
const UCRED_BYTES = 12

type GetSockOpt = (fd: number, level: number, name: number, value: Buffer, length: number[]) => number

let getsockopt: {call: GetSockOpt; errno: () => number} | undefined

function libc(): {call: GetSockOpt; errno: () => number} {
  if (getsockopt) return getsockopt
  const koffi = koffiNative()
  const lib = koffi.load('libc.so.6')
  const call = lib.func('int getsockopt(int, int, int, _Out_ uint8_t *value, _Inout_ uint32_t *length)') as GetSockOpt
  getsockopt = {call, errno: () => koffi.errno()}
  return getsockopt
}

/**
 * The file descriptor under a connected node:net socket (its libuv handle's `fd`, an internal of
 * Node that test/unit/config/peer-credentials.unit.test.ts checks); undefined when the socket has none.
 */
export function socketFd(socket: Socket): number | undefined {
  const fd = (socket as unknown as {_handle?: {fd?: unknown}})._handle?.fd
  return typeof fd === 'number' && fd >= 0 ? fd : undefined
}

/** The pid, uid and gid of the process at the other end of a connected Unix socket (as of its connect or listen). */
export function peerCredentials(socket: Socket): PeerCredentials {
  const fd = socketFd(socket)
  if (fd === undefined) throw new Error('peerCredentials: the socket has no file descriptor (not connected?)')
  const {call, errno} = libc()
  const value = Buffer.alloc(UCRED_BYTES)
  const length = [UCRED_BYTES]
  if (call(fd, SOL_SOCKET, SO_PEERCRED, value, length) !== 0) {
    throw new Error(`peerCredentials: getsockopt(SO_PEERCRED) failed (errno ${errno()})`)
  }
  if (length[0] !== UCRED_BYTES) throw new Error(`peerCredentials: SO_PEERCRED gave ${length[0]} bytes`)
  return {pid: value.readInt32LE(0), uid: value.readUInt32LE(4), gid: value.readUInt32LE(8)}
}
