// A typed client for the agent's API over its Unix socket (undici): one call per route of the
// contract, errors turned back into HushError with the agent's code.
import {connect} from 'node:net'
import {type buildConnector, Client} from 'undici'
import type {ByteStream, Route, RouteInput, RouteOutput} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {MAX_BODY_BYTES} from '../api/limits.js'
import type {PeerCredentials} from '../config/peer-credentials.js'
import {checkPeer, checkSocketPath, processStat} from './who-answers.js'

/** Builds the request path: `:param` from the input, the rest in the query (GET/DELETE) or the body (POST). */
export function requestFor<R extends Route<unknown, unknown>>(
  route: R,
  input: RouteInput<R>,
): {path: string; body?: string} {
  const rest: Record<string, unknown> = {...(input as Record<string, unknown>)}
  const path = route.path.replace(/:([A-Za-z]+)/g, (_match, param: string) => {
    const value = rest[param]
    delete rest[param]
    return encodeURIComponent(String(value))
  })
  if (route.method === 'POST') return {path, body: JSON.stringify(rest)}
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) query.set(key, String(value))
  const search = query.toString()
  return {path: search ? `${path}?${search}` : path}
}

/** How to check, after the agent went away mid-request, whether a change took effect. */
function checkCommand(path: string): string {
  const deployment = /^\/v1\/deployments\/([^/?]+)/.exec(path)
  if (deployment) return `hush status ${decodeURIComponent(deployment[1])}`
  if (path.startsWith('/v1/deployments')) return 'hush status'
  if (path.startsWith('/v1/secrets')) return 'hush secrets list'
  return 'hush daemon status'
}

/**
 * The one line for an agent that stopped (killed, or `daemon stop`) before answering: what is
 * known, and the command that shows the rest. The agent reconciles on its next start.
 */
export function lostAgent(route: Route<unknown, unknown>, path: string, error: unknown): HushError {
  const reason = (error as {code?: string}).code ?? 'connection closed'
  const check = checkCommand(path)
  const known =
    route.method === 'GET'
      ? 'nothing was changed'
      : path === '/v1/deployments'
        ? 'the deployment may or may not have been launched (the next agent records or removes its container)'
        : 'whether the change took effect is unknown'
  return new HushError(
    'daemon_unreachable',
    `The hush agent stopped before answering (${reason}): ${known}; check with \`${check}\`.`,
  )
}

/** The agent's response headers are a few short lines; 16 KiB is Node's own default (set here, so node:http need not load). */
const MAX_HEADER_BYTES = 16 * 1024

function answerTimeout(ms: number | undefined): {headersTimeout?: number; bodyTimeout?: number} {
  return ms ? {headersTimeout: ms, bodyTimeout: ms} : {}
}

/** The longest a connect to the socket may take. */
const CONNECT_TIMEOUT_MS = 2_000

/**
 * Connects to `socketPath` only after its directory and file passed the checks of who-answers.ts,
 * and hands undici the socket only once the process at the other end is the user's (or root's):
 * so no byte of any request reaches another user's process. `onPeer` learns who answered.
 */
function checkedConnector(socketPath: string, onPeer: (peer: PeerCredentials) => void): buildConnector.connector {
  return (_options, callback) => {
    try {
      checkSocketPath(socketPath)
    } catch (error) {
      callback(error as Error, null)
      return
    }
    const socket = connect(socketPath)
    let done = false
    const finish = (error: Error | null) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.off('error', finish)
      if (error) {
        socket.destroy()
        callback(error, null)
      } else {
        callback(null, socket)
      }
    }
    const timer = setTimeout(
      () => finish(Object.assign(new Error(`connect to ${socketPath} timed out`), {code: 'ETIMEDOUT'})),
      CONNECT_TIMEOUT_MS,
    )
    socket.once('error', finish)
    socket.once('connect', () => {
      try {
        onPeer(checkPeer(socket, socketPath))
        finish(null)
      } catch (error) {
        finish(error as Error)
      }
    })
  }
}

export class AgentClient {
  private readonly http: Client
  /** Who answered on the last connection (pid, uid, gid from the kernel), and its CPU time then (clock ticks). */
  peer: (PeerCredentials & {cpuTicks?: number}) | undefined

  /** `timeoutMs`: the longest any answer may take unless a call says otherwise (default: undici's). */
  constructor(
    readonly socketPath: string,
    private readonly defaults: {timeoutMs?: number} = {},
  ) {
    this.http = new Client('http://hush.local', {
      connect: checkedConnector(socketPath, (peer) => {
        this.peer = {...peer, cpuTicks: processStat(peer.pid)?.cpuTicks}
      }),
      maxHeaderSize: MAX_HEADER_BYTES,
    })
  }

  /**
   * Calls a JSON route. `wait: true` lifts the answer timeout (a route that runs docker may take
   * long); `timeoutMs` shortens it (shell completion).
   */
  async call<R extends Route<unknown, unknown>>(
    route: R,
    input: RouteInput<R>,
    options: {wait?: boolean; timeoutMs?: number} = {},
  ): Promise<RouteOutput<R>> {
    const {path, body} = requestFor(route, input)
    if (body !== undefined && Buffer.byteLength(body) > (route.maxBodyBytes ?? MAX_BODY_BYTES)) {
      // The agent would refuse it and close the connection mid-upload: say so before sending.
      throw new HushError(
        'payload_too_large',
        `This request is over ${MAX_BODY_BYTES} bytes (1 MiB): split the values over several secrets.`,
      )
    }
    let response: Awaited<ReturnType<Client['request']>>
    let text: string
    try {
      response = await this.http.request({
        method: route.method,
        path,
        body,
        headers: body === undefined ? {} : {'content-type': 'application/json'},
        ...(options.wait ? {headersTimeout: 0, bodyTimeout: 0} : {}),
        ...(options.wait ? {} : answerTimeout(options.timeoutMs ?? this.defaults.timeoutMs)),
      })
      text = await response.body.text()
    } catch (error) {
      // A refusal of who answers (nothing was sent) is said as it is.
      if (error instanceof HushError) throw error
      throw route.path === '/v1/hello' || route.path === '/v1/shutdown' ? error : lostAgent(route, path, error)
    }
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      throw new HushError(
        'internal',
        `The hush agent answered HTTP ${response.statusCode} with a body that is not JSON.`,
      )
    }
    if (response.statusCode >= 400) throw HushError.fromBody(parsed, response.statusCode)
    return parsed as RouteOutput<R>
  }

  /** Calls a streaming route: the raw framed bytes (see api/frames.ts), without time limits. */
  async stream<R extends Route<unknown, ByteStream>>(
    route: R,
    input: RouteInput<R>,
  ): Promise<AsyncIterable<Uint8Array>> {
    const {path} = requestFor(route, input)
    const response = await this.http.request({method: route.method, path, headersTimeout: 0, bodyTimeout: 0})
    if (response.statusCode >= 400) {
      const text = await response.body.text()
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = undefined
      }
      throw HushError.fromBody(parsed, response.statusCode)
    }
    return response.body
  }

  async close(): Promise<void> {
    await this.http.close()
  }
}
