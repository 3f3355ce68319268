// `hush status [ID]`: the deployments as a table, or one in full (its spec, secrets, env, and a
// Swarm service's replicas and tasks); the spec's JSON shape under --json.
import type {DeploymentDetail, DeploymentInfo} from '../api/contract.js'
import {formatRunOptions} from '../api/rules/run-options.js'
import {ago, list, table} from '../ui/render.js'
import type {CommandContext} from './base.js'
import {specShape} from './deployments.js'

/** Every deployment, or the one ID names. */
export async function status(cmd: CommandContext, id: string | undefined): Promise<DeploymentInfo | DeploymentInfo[]> {
  const hush = await cmd.hush()
  if (id) {
    const detail = await hush.status(id)
    if (!cmd.json) cmd.log(describe(detail))
    return specShape(detail)
  }
  const all = await hush.status()
  if (!cmd.json) {
    if (all.length === 0) cmd.log('No deployments yet. Launch one with: hush submit IMAGE --secret NAME -- CMD')
    else
      cmd.log(
        await table(
          ['ID', 'NAME', 'IMAGE', 'STATE', 'SECRETS', 'STALE', 'AGE'],
          all.map((d) => [
            d.id,
            d.name ?? '-',
            d.image,
            d.exitCode === null ? d.state : `${d.state} (${d.exitCode})`,
            list(d.secrets.map((s) => (s.app ? `${s.name} (app)` : s.name))),
            d.stale ? 'yes' : '-',
            ago(d.createdAt),
          ]),
        ),
      )
  }
  return all.map(specShape)
}

function describe(d: DeploymentDetail): string {
  const lines = [
    `id:         ${d.id}`,
    `name:       ${d.name ?? '-'}`,
    `image:      ${d.image}`,
    `command:    ${d.command.length ? d.command.map((arg) => (/[\s'"\\$]/.test(arg) ? JSON.stringify(arg) : arg)).join(' ') : '(image default)'}`,
    `state:      ${d.state}`,
    `exit code:  ${d.exitCode ?? '-'}`,
    `revision:   ${d.revision}`,
    ...(d.target === 'swarm'
      ? [`service:    ${d.serviceId ?? '-'} (Docker Swarm)`, ...swarmLines(d)]
      : [
          `container:  ${d.containerId ?? '-'}`,
          `engine:     ${d.context ? `docker context ${d.context}` : 'the agent’s own'}`,
        ]),
    `created:    ${d.createdAt} (${ago(d.createdAt)})`,
    `stale:      ${d.stale ? `yes (a secret changed since it started: hush resubmit ${d.id})` : 'no'}`,
    `--secret:   ${list(d.refs)}`,
  ]
  if (d.secretFiles.length) lines.push(`--secret-file: ${list(d.secretFiles)}`)
  const options = formatRunOptions(d.options)
  if (options.length) lines.push(`options:    ${options.join(' ')}`)
  lines.push('secrets:')
  if (d.secrets.length === 0) lines.push('  (none)')
  for (const secret of d.secrets) {
    const scope = secret.app ? `app ${secret.app}` : 'shared'
    const parts = [`  ${secret.name}  ${scope}  version ${secret.version}`]
    if (secret.env.length) parts.push(`keys ${list(secret.env)}`)
    if (secret.files.length) parts.push(`files (read-only) ${list(secret.files)}`)
    lines.push(parts.join('  '))
  }
  lines.push('env (plain, templates as written):')
  const env = Object.entries(d.env)
  if (env.length === 0) lines.push('  (none)')
  for (const [key, value] of env) lines.push(`  ${key}=${value}`)
  return lines.join('\n')
}

/** A Swarm service's replicas, update state and current tasks (node, state, revision, error). */
function swarmLines(d: DeploymentDetail): string[] {
  const lines = [`replicas:   ${d.replicas?.running ?? 0}/${d.replicas?.desired ?? 0} running`]
  if (d.update?.state) lines.push(`update:     ${d.update.state}${d.update.message ? ` (${d.update.message})` : ''}`)
  lines.push('tasks:')
  if (!d.tasks?.length) lines.push('  (none)')
  for (const task of d.tasks ?? [])
    lines.push(
      `  ${task.id.slice(0, 12)}  ${task.node || '(no node)'}  ${task.state}  revision ${task.revision ?? '?'}${task.error ? `  ${task.error}` : ''}`,
    )
  return lines
}
