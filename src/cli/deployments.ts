// CLI helpers for deployments: the spec's JSON shape, following a container's redacted output from
// the agent's log stream onto this terminal (`hush logs`), and `hush resubmit` and `hush terminate`.
import type {DeploymentDetail, DeploymentInfo, ResubmitOutput} from '../api/contract.js'
import type {EndInfo} from '../api/frames.js'
import type {HushClient} from '../client/hush-client.js'
import type {CommandContext} from './base.js'
import type {IOStreams} from './io.js'

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

/** `hush logs ID [--follow]`: the output so far, or until the container stops. */
export async function logs(cmd: CommandContext, id: string, follow: boolean): Promise<void> {
  await printLogs(await cmd.hush(), cmd.io, id, follow)
}

/** `hush resubmit ID`: fresh values, a new container (or a rolling update of a Swarm service's tasks). */
export async function resubmit(cmd: CommandContext, id: string): Promise<ResubmitOutput> {
  const result = await (await cmd.hush()).resubmit(id)
  if (result.serviceId) {
    cmd.log(
      `Resubmitted ${result.id}: revision ${result.revision} rolled out to service ${result.serviceId.slice(0, 12)}.`,
    )
    for (const task of result.tasks ?? [])
      cmd.log(`  task ${task.id.slice(0, 12)} on ${task.node || '?'}: ${task.state}, revision ${task.revision ?? '?'}`)
    return result
  }
  cmd.log(
    `Resubmitted ${result.id}: revision ${result.revision}, container ${result.containerId.slice(0, 12)} (${result.state}).`,
  )
  return result
}

/** `hush terminate ID`: the container (or Swarm service) stopped after GRACE seconds and removed. */
export async function terminate(cmd: CommandContext, id: string, grace: number): Promise<DeploymentInfo> {
  const result = await (await cmd.hush()).terminate(id, {grace})
  cmd.log(
    result.target === 'swarm'
      ? `Terminated ${result.id}: service ${result.serviceId?.slice(0, 12) ?? '-'} and its unused Swarm secrets removed.`
      : `Terminated ${result.id}: container ${result.containerId?.slice(0, 12) ?? '-'} removed.`,
  )
  return specShape(result)
}
