// The agent's HTTP/1.1 JSON server (node:http) on the Unix socket: matches a request to a route
// of the contract, reads its input within the body limit, runs the handler, answers JSON.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {Readable} from 'node:stream'
import {type Method, type RouteName, routes} from '../../api/contract.js'
import {HushError, readOnlyError, SQLITE_FULL, sqliteResult} from '../../api/errors.js'
import {MAX_BODY_BYTES} from '../../api/limits.js'
import type {Agent} from '../agent.js'
import type {Logger} from '../process/log.js'
import {sealedError} from '../vault/data-key.js'
import type {HandlerTable} from './handlers/types.js'
import {checkInput, fromQuery} from './route-input.js'

interface CompiledRoute {
  name: RouteName
  method: Method
  pattern: RegExp
  params: string[]
}

function compile(): CompiledRoute[] {
  return (Object.keys(routes) as RouteName[]).map((name) => {
    const {method, path} = routes[name]
    const params: string[] = []
    const source = path.replace(/:([A-Za-z]+)/g, (_match, param: string) => {
      params.push(param)
      return '([^/]+)'
    })
    return {name, method, pattern: new RegExp(`^${source}$`), params}
  })
}

/**
 * Reads a POST body within the limit: a declared Content-Length over it is refused before reading,
 * and a streamed body is counted chunk by chunk, so at most 1 MiB is ever buffered.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) return Promise.reject(tooLarge(limit))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.off('data', onData)
        req.pause()
        chunks.length = 0
        reject(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
    req.on('close', () => {
      if (!req.complete) reject(new HushError('bad_request', 'The client closed the connection mid-request.'))
    })
  })
}

function tooLarge(limit: number): HushError {
  const size = limit === MAX_BODY_BYTES ? '1 MiB' : `${Math.round(limit / 1024 / 1024)} MiB`
  return new HushError('payload_too_large', `The request body is over ${limit} bytes (${size}): nothing was stored.`)
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new HushError('bad_request', 'The request body is not valid JSON.')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HushError('bad_request', 'The request body must be a JSON object.')
  }
  return parsed as Record<string, unknown>
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HushError('bad_request', 'A path parameter is not valid percent-encoded UTF-8.')
  }
}

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(close ? {connection: 'close'} : {}),
  })
  res.end(text)
}

/** A streaming route's answer: chunked frames; the source is destroyed when the client goes away. */
function stream(res: ServerResponse, source: Readable, open: Set<ServerResponse>): void {
  res.writeHead(200, {'content-type': 'application/vnd.hush.frames'})
  open.add(res)
  res.on('close', () => {
    open.delete(res)
    source.destroy()
  })
  source.pipe(res)
}

/** How long the rest of a body too large to read is read and dropped before its connection closes. */
const LINGER_MS = 2_000

/**
 * The connection of a request whose body was abandoned for its size (413) closes once the answer is out, in stages (RFC 9112 9.6): our side first, then what the client
 * still sends is read and dropped, never kept, until it closes or for LINGER_MS. Closing at once
 * with the client's bytes unread resets the connection, and a client still sending its body gets
 * EPIPE and may lose the answer waiting for it (its 413).
 */
function closeUnread(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    const socket = req.socket
    socket.end()
    req.resume()
    const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref()
    socket.once('close', () => clearTimeout(timer))
  })
}

/** A write refused for lack of space (SQLite's SQLITE_FULL, or ENOSPC) as the one line users see; else undefined. */
export function noSpaceError(error: unknown, home: string): HushError | undefined {
  const failure = error as {code?: string; path?: string}
  if (sqliteResult(error) !== SQLITE_FULL && failure?.code !== 'ENOSPC' && failure?.code !== 'EDQUOT') return undefined
  if (failure.path && !failure.path.startsWith(home)) {
    return new HushError(
      'no_space',
      `No space left in ${failure.path} (the agent's tmpfs for env-files and secret files): free some space there or make that tmpfs larger, then try again. Nothing was launched.`,
    )
  }
  return new HushError(
    'no_space',
    `No space left on the store's disk (${home}): free some space, then try again. Nothing was changed.`,
  )
}

export interface ApiServerHooks {
  /** Called at the start and end of every request (for the idle timer). */
  onActivity(busy: boolean): void
}

export interface ApiServer extends Server {
  /**
   * Stops accepting connections, ends streams (logs) and idle connections, and lets requests in
   * flight finish (a `docker run` is recorded, not cut off) for up to `graceMs`; 'close' follows.
   */
  drain(graceMs: number): void
}

export function createApiServer(agent: Agent, handlers: HandlerTable, log: Logger, hooks: ApiServerHooks): ApiServer {
  const compiled = compile()
  const streams = new Set<ServerResponse>()
  let draining = false

  async function dispatch(req: IncomingMessage): Promise<unknown> {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://hush')
    } catch {
      throw new HushError('bad_request', 'The request target is not a valid path.')
    }
    let pathMatched = false
    for (const route of compiled) {
      const match = route.pattern.exec(url.pathname)
      if (!match) continue
      pathMatched = true
      if (route.method !== req.method) continue
      // The sealed guard, for every route at once: only routes declared `whileSealed` answer.
      if (!routes[route.name].whileSealed && agent.dataKey.sealed) throw sealedError()
      const schema = routes[route.name].input
      // No prototype: a `__proto__` field in a body stays a plain field (and is refused as unknown).
      const input: Record<string, unknown> = Object.create(null)
      if (route.method === 'POST')
        Object.assign(input, parseJson(await readBody(req, routes[route.name].maxBodyBytes ?? MAX_BODY_BYTES)))
      else Object.assign(input, fromQuery(schema, url.searchParams))
      const where = route.method === 'POST' ? 'request body' : 'query'
      route.params.forEach((param, index) => {
        input[param] = decodeParam(match[index + 1])
      })
      const handler = handlers[route.name] as (input: unknown, agent: Agent) => unknown
      const checked = checkInput(schema, input, where)
      // Exactly one state read for a route that needs fresh states, before its handler.
      if (routes[route.name].refresh) await agent.deployments.refresh()
      return handler(checked, agent)
    }
    if (pathMatched) throw new HushError('method_not_allowed', `${req.method} is not allowed on ${url.pathname}.`)
    throw new HushError('not_found', `No route ${req.method} ${url.pathname}: see the API contract (/v1/...).`)
  }

  const server = createServer({connectionsCheckingInterval: 1_000}, (req, res) => {
    hooks.onActivity(true)
    res.on('close', () => hooks.onActivity(false))
    dispatch(req).then(
      (result) => (result instanceof Readable ? stream(res, result, streams) : send(res, 200, result, draining)),
      (error: unknown) => {
        if (error instanceof HushError) {
          if (error.status >= 500 && error.code !== 'sealed') {
            log.warn(`${req.method} ${req.url?.split('?')[0]}: ${error.code}: ${error.message}`)
          }
          // A body refused before it was read (a wrong route, sealed) is dropped by node:http as the
          // answer finishes, and the connection is kept; only one abandoned for its size is closed.
          const abandoned = error.code === 'payload_too_large' && !req.complete
          send(res, error.status, error.toBody(), draining && !abandoned)
          if (abandoned) closeUnread(req, res)
          return
        }
        const full = noSpaceError(error, agent.paths.home) ?? readOnlyError(error, agent.paths.home)
        if (full) {
          log.warn(`${req.method} ${req.url?.split('?')[0]}: ${full.message}`)
          send(res, full.status, full.toBody(), draining)
          return
        }
        log.error(`${req.method} ${req.url?.split('?')[0]} failed`, error)
        send(
          res,
          500,
          new HushError('internal', 'The hush agent hit an internal error: see its log.').toBody(),
          draining,
        )
      },
    )
  })
  // Slow or half-open clients: headers within 10 s, the whole request within 30 s (checked every
  // second, see connectionsCheckingInterval), an idle kept-alive connection closed after 5 s.
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  server.keepAliveTimeout = 5_000
  return Object.assign(server, {
    drain(graceMs: number) {
      draining = true
      server.close()
      for (const res of streams) res.destroy()
      server.closeIdleConnections()
      setTimeout(() => server.closeAllConnections(), graceMs).unref()
    },
  })
}
