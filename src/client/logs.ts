// A deployment's output as the agent streams it (already redacted): decoded frames as chunks of
// stdout and stderr; a followed stream returns how the container ended.
import {routes} from '../api/contract.js'
import {HushError, isErrorCode} from '../api/errors.js'
import {decodeFrames, type EndInfo, FRAME_END, FRAME_ERROR, FRAME_STDERR, FRAME_STDOUT} from '../api/frames.js'
import type {AgentClient} from './client.js'

export type {EndInfo} from '../api/frames.js'

/** One piece of a container's output, every injected secret value already replaced by `***`. */
export interface LogChunk {
  stream: 'stdout' | 'stderr'
  data: Buffer
}

/** The output chunks in order; with `follow`, the generator's return value says how the container ended. */
export async function* logChunks(
  client: AgentClient,
  id: string,
  follow: boolean,
): AsyncGenerator<LogChunk, EndInfo | undefined> {
  const body = await client.stream(routes.logs, {id, ...(follow ? {follow: true} : {})})
  let end: EndInfo | undefined
  for await (const frame of decodeFrames(body)) {
    if (frame.kind === FRAME_STDOUT) yield {stream: 'stdout', data: frame.payload}
    else if (frame.kind === FRAME_STDERR) yield {stream: 'stderr', data: frame.payload}
    else if (frame.kind === FRAME_END) end = JSON.parse(frame.payload.toString('utf8')) as EndInfo
    else if (frame.kind === FRAME_ERROR) {
      const error = JSON.parse(frame.payload.toString('utf8')) as {code: string; message: string}
      throw new HushError(isErrorCode(error.code) ? error.code : 'internal', error.message)
    }
  }
  return end
}
