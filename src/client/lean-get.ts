// The agent's answer to one GET, the lean way (for cli/lean-route.ts, the hot read paths): one
// connection to the socket, checked as AgentClient checks every one (who-answers.ts: the store,
// the socket's directory and file, then who answers, before a byte is sent), hello and the GET
// pipelined on it, and a reader of the agent's own HTTP/1.1 answers (each JSON with a
// Content-Length, api/../daemon/http/server.ts). No undici, no node:http: together they are most of
// a command's start. Anything unexpected (no agent, another version, a refusal, an error, a slow
// answer) is undefined, never an error: the caller then takes the full route, which says it.
import {connect, type Socket} from 'node:net'
import {type Hello, type Route, routes} from '../api/contract.js'
import type {HushPaths} from '../config/paths.js'
import {VERSION} from '../version.js'
import {checkPeer, checkSocketPath, checkStoreHome} from './who-answers.js'

/** The longest the whole exchange may take: the full route, taken then, waits for a busy agent. */
const LEAN_MS = 1_500
/** Far more than a list of every secret or deployment; a longer answer is not the agent's. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024

/** ROUTE's answer (a GET, sent with no input) from the agent of PATHS when it is this version's and answers 200; else undefined. */
export async function leanGet<O>(paths: HushPaths, route: Route<unknown, O>): Promise<O | undefined> {
  if (route.method !== 'GET') return undefined
  try {
    checkStoreHome(paths)
    checkSocketPath(paths.socket)
    const answers = await exchange(paths.socket, [routes.hello.path, route.path])
    const [hello, answer] = answers ?? []
    if (hello?.status !== 200 || answer?.status !== 200) return undefined
    if ((JSON.parse(hello.body) as Hello).version !== VERSION) return undefined
    return JSON.parse(answer.body) as O
  } catch {
    return undefined
  }
}

interface Answer {
  status: number
  body: string
}

/** Sends a GET of each path on one checked connection (the last closes it); their answers, or undefined. */
function exchange(socketPath: string, paths: string[]): Promise<Answer[] | undefined> {
  return new Promise((resolve) => {
    const socket = connect(socketPath)
    const chunks: Buffer[] = []
    let size = 0
    const done = (answers: Answer[] | undefined) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(answers)
    }
    const timer = setTimeout(() => done(undefined), LEAN_MS)
    socket.once('error', () => done(undefined))
    socket.once('connect', () => {
      try {
        checkPeer(socket, socketPath)
      } catch {
        done(undefined)
        return
      }
      send(socket, paths)
    })
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_ANSWER_BYTES) done(undefined)
      else chunks.push(chunk)
    })
    socket.once('end', () => done(answersIn(Buffer.concat(chunks), paths.length)))
  })
}

function send(socket: Socket, paths: string[]): void {
  const requests = paths.map(
    (path, i) =>
      `GET ${path} HTTP/1.1\r\nHost: hush.local\r\n${i === paths.length - 1 ? 'Connection: close\r\n' : ''}\r\n`,
  )
  socket.write(requests.join(''))
}

/** COUNT answers, each a status line, headers with a Content-Length and that many bytes; else undefined. */
function answersIn(bytes: Buffer, count: number): Answer[] | undefined {
  const answers: Answer[] = []
  let at = 0
  while (answers.length < count) {
    const end = bytes.indexOf('\r\n\r\n', at)
    if (end < 0) return undefined
    const head = bytes.subarray(at, end).toString('latin1')
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(head)
    const length = /\r\ncontent-length: *(\d+)\r?$/im.exec(head)
    if (!status || !length || /\r\ntransfer-encoding:/i.test(head)) return undefined
    const start = end + 4
    const stop = start + Number(length[1])
    if (stop > bytes.length) return undefined
    answers.push({status: Number(status[1]), body: bytes.subarray(start, stop).toString('utf8')})
    at = stop
  }
  return answers
}
