// peerCredentials over real Unix sockets: the kernel's answer for this process, on both ends, and
// the Node internal it rests on (a connected socket's `_handle.fd`): if Node changes it, this fails.
import {mkdtempSync, rmSync} from 'node:fs'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {peerCredentials, socketFd} from '../../../src/config/peer-credentials.js'

const dir = mkdtempSync(join(tmpdir(), 'hush-peer-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

async function listen(path: string): Promise<{server: Server; accepted: Promise<Socket>}> {
  let accept: (socket: Socket) => void = () => {}
  const accepted = new Promise<Socket>((resolve) => {
    accept = resolve
  })
  const server = createServer(accept)
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return {server, accepted}
}

describe('peerCredentials', () => {
  it('gives this process pid, uid and gid on both ends of a Unix socket', async () => {
    const path = join(dir, 'a.sock')
    const {server, accepted} = await listen(path)
    const client = connect(path)
    await new Promise<void>((resolve) => client.once('connect', resolve))
    const serverSide = await accepted
    const self = {pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.()}
    expect(peerCredentials(client)).toEqual(self)
    expect(peerCredentials(serverSide)).toEqual(self)
    client.destroy()
    serverSide.destroy()
    server.close()
  })

  it('reads the fd of a connected socket from its handle (the Node internal it relies on)', async () => {
    const path = join(dir, 'b.sock')
    const {server, accepted} = await listen(path)
    const client = connect(path)
    await new Promise<void>((resolve) => client.once('connect', resolve))
    const fd = socketFd(client)
    expect(typeof fd).toBe('number')
    expect(fd).toBeGreaterThan(2)
    client.destroy()
    ;(await accepted).destroy()
    server.close()
    expect(() => peerCredentials(client)).toThrow(/no file descriptor/)
  })
})
