// CLI helpers for deployments: the spec's JSON shape, and following a container's redacted
// output from the agent's log stream onto this terminal.
import type {DeploymentDetail, DeploymentInfo} from '../api/contract.js'
import type {EndInfo} from '../api/frames.js'
import type {AgentClient} from '../client/client.js'
import {logChunks} from '../client/logs.js'

/** Exactly the spec's `status --json` fields. */
export function specShape(detail: DeploymentDetail): DeploymentInfo {
  const {id, name, image, state, revision, containerId, exitCode, stale, env, secrets, createdAt, target} = detail
  const shape: DeploymentInfo = {
    id,
    name,
    image,
    state,
    revision,
    containerId,
    exitCode,
    stale,
    env,
    secrets,
    createdAt,
    target,
  }
  if (target !== 'swarm') return shape
  const {serviceId, replicas, tasks, update} = detail
  return {...shape, serviceId: serviceId ?? null, replicas, tasks, update}
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
  const chunks = logChunks(client, id, follow)
  for (;;) {
    const next = await chunks.next()
    if (next.done) return next.value
    if (show) await write(next.value.stream === 'stdout' ? process.stdout : process.stderr, next.value.data)
  }
}
