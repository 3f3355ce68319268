// A deployment's output as the frames of the logs route: `docker logs [--follow]` of a container
// or `docker service logs` of a Swarm service, each stream passed through its own Redactor, then
// (when following) an end frame saying how it stopped.
import {PassThrough, type Readable} from 'node:stream'
import type {ResultPromise} from 'execa'
import {type EndInfo, encodeFrame, FRAME_END, FRAME_ERROR, FRAME_STDERR, FRAME_STDOUT} from '../../api/frames.js'
import {dockerLogs, dockerWait} from '../docker/containers.js'
import {Redactor} from '../docker/redact.js'

/** Where output comes from: the docker child printing it, and (when following) a wait for the end. */
export interface LogSource {
  child: ResultPromise<{buffer: false; stdin: 'ignore'}>
  stopped: () => Promise<unknown>
}

/** `docker logs` of a container, waiting on `docker wait` for its end. */
export function containerLogSource(containerId: string, follow: boolean, context: string | null = null): LogSource {
  return {child: dockerLogs(containerId, follow, context), stopped: () => dockerWait(containerId, context)}
}

/**
 * Streams the redacted output of `source`. `values` may be wiped once this returns.
 * With follow, `ended()` is asked for the final state after it stopped.
 */
export function redactedLogStream(
  source: LogSource,
  values: Uint8Array[],
  follow: boolean,
  ended: () => Promise<EndInfo>,
): Readable {
  const stdout = new Redactor(values)
  const redactors = {out: stdout, err: stdout.sibling()}
  const {child} = source
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
        await source.stopped()
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
