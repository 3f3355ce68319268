// Test tools that talk to the agent the way any local program could: hello, values sealed to its
// public key, raw route calls, and the agent processes of a store found through /proc.
import {readdirSync, readFileSync} from 'node:fs'
import {connect, type Socket} from 'node:net'
import type {Hello} from '../../src/api/contract.js'
import {loadSodium} from '../../src/crypto/sodium.js'
import {boxValue} from '../../src/crypto/transport.js'
import {isAlive, type RawResponse, rawRequest} from './helpers.js'

export async function hello(socket: string): Promise<Hello> {
  const response = await rawRequest(socket, 'GET', '/v1/hello')
  if (response.status !== 200) throw new Error(`hello answered ${response.status}: ${response.text}`)
  return response.json as Hello
}

/** Seals each value (text or raw bytes) to the agent's public key, as the CLI does. */
export async function sealAll(
  publicKey: string,
  values: Record<string, string | Uint8Array>,
): Promise<Record<string, string>> {
  const sodium = await loadSodium()
  const sealed: Record<string, string> = {}
  for (const [key, value] of Object.entries(values)) {
    sealed[key] = boxValue(sodium, publicKey, typeof value === 'string' ? new TextEncoder().encode(value) : value)
  }
  return sealed
}

/** POST /v1/secrets with sealed values, straight over the socket. */
export async function createRaw(
  socket: string,
  publicKey: string,
  name: string,
  values: Record<string, string | Uint8Array>,
): Promise<RawResponse> {
  const body = JSON.stringify({name, values: await sealAll(publicKey, values)})
  return rawRequest(socket, 'POST', '/v1/secrets', body, {'content-type': 'application/json'})
}

/** Live (non-zombie) `hush daemon run` processes whose environment has HUSH_HOME=home. */
export function agentProcesses(home: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      if (!cmdline.join(' ').includes('daemon run')) continue
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
      if (environ.includes(`HUSH_HOME=${home}`) && isAlive(pid)) pids.push(pid)
    } catch {
      // the process ended while we looked, or is not ours
    }
  }
  return pids
}

/** The one line a failed human-mode command writes on stderr. */
export function errorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.length > 0)
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}: ${stderr}`)
  return lines[0]
}

export interface RawOutcome {
  received: string
  /** Milliseconds from connecting to the agent closing the connection. */
  closedAfterMs: number
}

/**
 * Opens a raw connection, lets `talk` write to it, and resolves with all it received when the agent
 * closes it. A write error (EPIPE, ECONNRESET: the agent refused and closed mid-upload) is not a
 * failure: what the agent answered before closing is still in `received`.
 */
export function rawConnection(
  socket: string,
  talk: (conn: Socket, receivedSoFar: () => string) => void,
  giveUpMs: number,
): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const conn = connect(socket)
    let received = ''
    const timer = setTimeout(() => {
      conn.destroy()
      reject(new Error(`the agent kept the connection open for ${giveUpMs} ms`))
    }, giveUpMs)
    conn.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    conn.on('error', () => undefined)
    conn.on('close', () => {
      clearTimeout(timer)
      resolve({received, closedAfterMs: Date.now() - started})
    })
    conn.on('connect', () => talk(conn, () => received))
  })
}
