// The framing of streaming routes (container logs): each frame is one byte of kind, a 4-byte
// big-endian length, then the payload. Both ends use this file.
import type {DeploymentState} from './contract.js'

export const FRAME_STDOUT = 1
export const FRAME_STDERR = 2
/** The last frame of a followed stream: JSON {state, exitCode}. */
export const FRAME_END = 3
/** A failure after the stream started: JSON {code, message}. */
export const FRAME_ERROR = 4

export type FrameKind = typeof FRAME_STDOUT | typeof FRAME_STDERR | typeof FRAME_END | typeof FRAME_ERROR

export interface Frame {
  kind: FrameKind
  payload: Buffer
}

export interface EndInfo {
  state: DeploymentState
  exitCode: number | null
}

export function encodeFrame(kind: FrameKind, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5)
  header.writeUInt8(kind, 0)
  header.writeUInt32BE(payload.length, 1)
  return Buffer.concat([header, payload])
}

/** Splits a byte stream into frames, whatever the chunk boundaries. */
export async function* decodeFrames(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  let pending = Buffer.alloc(0)
  for await (const chunk of chunks) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk)
    while (pending.length >= 5) {
      const length = pending.readUInt32BE(1)
      if (pending.length < 5 + length) break
      yield {kind: pending.readUInt8(0) as FrameKind, payload: pending.subarray(5, 5 + length)}
      pending = pending.subarray(5 + length)
    }
  }
}
