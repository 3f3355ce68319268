// CLI helpers for deployments: the spec's JSON shape, and following a container's redacted
// output from the agent's log stream onto this terminal.
import type {DeploymentDetail, DeploymentInfo} from '../api/contract.js'
import type {EndInfo} from '../api/frames.js'
import type {HushClient} from '../client/hush-client.js'
import type {IOStreams} from './io.js'

/** Exactly the spec's `status --json` fields. */
export function specShape(detail: DeploymentDetail): DeploymentInfo {
  const {id, name, image, state, revision, containerId, exitCode, stale, env, secrets, createdAt} = detail
  return {id, name, image, state, revision, containerId, exitCode, stale, env, secrets, createdAt}
}

function write(stream: NodeJS.WritableStream, bytes: Uint8Array): Promise<void> {
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
  hush: HushClient,
  io: IOStreams,
  id: string,
  follow: boolean,
  show = true,
): Promise<EndInfo | undefined> {
  const chunks = hush.logs(id, {follow})
  for (;;) {
    const next = await chunks.next()
    if (next.done) return next.value
    if (show) await write(next.value.stream === 'stdout' ? io.stdout : io.stderr, next.value.data)
  }
}
