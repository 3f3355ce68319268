// A container's output as the frames of the logs route: `docker logs [--follow]`, each stream
// passed through its own Redactor, then (when following) an end frame saying how it stopped.
import {PassThrough, type Readable} from 'node:stream'
import {type EndInfo, encodeFrame, FRAME_END, FRAME_ERROR, FRAME_STDERR, FRAME_STDOUT} from '../api/frames.js'
import {dockerLogs, dockerWait} from './launcher.js'
import {Redactor} from './redact.js'

/**
 * Streams the redacted output of `containerId`. `values` may be wiped once this returns.
 * With follow, `ended()` is asked for the final state after the container stopped.
 */
export function redactedLogStream(
  containerId: string,
  values: Uint8Array[],
  follow: boolean,
  ended: () => Promise<EndInfo>,
  context: string | null = null,
): Readable {
  const redactors = {out: new Redactor(values), err: new Redactor(values)}
  const child = dockerLogs(containerId, follow, context)
  const out = new PassThrough()
  const send = (kind: typeof FRAME_STDOUT | typeof FRAME_STDERR, bytes: Buffer) => {
    if (bytes.length && !out.destroyed) out.write(encodeFrame(kind, bytes))
  }
  const flush = () => {
    send(FRAME_STDOUT, redactors.out.end())
    send(FRAME_STDERR, redactors.err.end())
  }
  child.stdout.on('data', (chunk: Buffer) => send(FRAME_STDOUT, redactors.out.push(chunk)))
  child.stderr.on('data', (chunk: Buffer) => send(FRAME_STDERR, redactors.err.push(chunk)))
  // The client went away (Ctrl-C on --follow): stop docker logs.
  out.on('close', () => {
    if (child.exitCode === null) child.kill()
  })
  child.then(
    async () => {
      flush()
      if (follow && !out.destroyed) {
        await dockerWait(containerId, context)
        const end = await ended()
        out.write(encodeFrame(FRAME_END, Buffer.from(JSON.stringify(end))))
      }
      out.end()
    },
    (error: unknown) => {
      if (out.destroyed) return
      flush()
      const message = `docker logs failed (${(error as {shortMessage?: string}).shortMessage ?? 'error'})`
      out.write(encodeFrame(FRAME_ERROR, Buffer.from(JSON.stringify({code: 'launch_failed', message}))))
      out.end()
    },
  )
  return out
}
