// `hush status [ID]`: deployments with their state read from docker; one in full with ID.
import {Args} from '@oclif/core'
import type {DeploymentDetail, DeploymentInfo} from '../api/contract.js'
import {formatRunOptions} from '../api/rules/run-options.js'
import {HushCommand} from '../cli/base.js'
import {specShape} from '../cli/deployments.js'
import {ago, list, table} from '../ui/render.js'

export default class Status extends HushCommand {
  static override summary = 'List deployments (state read from docker), or show one in full.'
  static override description =
    'STALE marks a deployment whose secret changed since it started: `hush resubmit ID` gives it the new values.'
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status d-1a2b3c4d',
    '<%= config.bin %> status --json',
  ]
  static override args = {id: Args.string({description: 'deployment id or name', ignoreStdin: true})}

  async run(): Promise<DeploymentInfo | DeploymentInfo[]> {
    const {args} = await this.parse(Status)
    const hush = await this.hush()
    if (args.id) {
      const detail = await hush.status(args.id)
      if (!this.jsonEnabled()) this.log(describe(detail))
      return specShape(detail)
    }
    const all = await hush.status()
    if (!this.jsonEnabled()) {
      if (all.length === 0) this.log('No deployments yet. Launch one with: hush submit IMAGE --secret NAME -- CMD')
      else
        this.log(
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
    // --secret-file entries are paths (/run/secrets/KEY); an env key never starts with '/'.
    const keys = secret.keys.filter((key) => !key.startsWith('/'))
    const files = secret.keys.filter((key) => key.startsWith('/'))
    const scope = secret.app ? `app ${secret.app}` : 'shared'
    const parts = [`  ${secret.name}  ${scope}  version ${secret.version}`]
    if (keys.length) parts.push(`keys ${list(keys)}`)
    if (files.length) parts.push(`files (read-only) ${list(files)}`)
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
