// CLI helpers for deployments: the spec's JSON shape, and following a container's redacted
// output from the agent's log stream onto this terminal.
import {type DeploymentDetail, type DeploymentInfo, routes} from '../api/contract.js'
import {HushError, isErrorCode} from '../api/errors.js'
import {decodeFrames, type EndInfo, FRAME_END, FRAME_ERROR, FRAME_STDERR, FRAME_STDOUT} from '../api/frames.js'
import type {AgentClient} from '../client/client.js'

/** Exactly the spec's `status --json` fields. */
export function specShape(detail: DeploymentDetail): DeploymentInfo {
  const {id, name, image, state, revision, containerId, exitCode, stale, env, secrets, createdAt} = detail
  return {id, name, image, state, revision, containerId, exitCode, stale, env, secrets, createdAt}
}

function write(stream: NodeJS.WriteStream, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(bytes)) resolve()
    else stream.once('drain', resolve)
  })
}

/**
 * Prints a deployment's output (already redacted by the agent): the container's stdout on
 * stdout, its stderr on stderr. With follow, resolves with how the container ended.
 */
export async function printLogs(
  client: AgentClient,
  id: string,
  follow: boolean,
  show = true,
): Promise<EndInfo | undefined> {
  const body = await client.stream(routes.logs, {id, ...(follow ? {follow: 'true'} : {})})
  let end: EndInfo | undefined
  for await (const frame of decodeFrames(body)) {
    if (frame.kind === FRAME_STDOUT && show) await write(process.stdout, frame.payload)
    else if (frame.kind === FRAME_STDERR && show) await write(process.stderr, frame.payload)
    else if (frame.kind === FRAME_END) end = JSON.parse(frame.payload.toString('utf8')) as EndInfo
    else if (frame.kind === FRAME_ERROR) {
      const error = JSON.parse(frame.payload.toString('utf8')) as {code: string; message: string}
      throw new HushError(isErrorCode(error.code) ? error.code : 'internal', error.message)
    }
  }
  return end
}
