// `hush audit`: what happened to secrets and deployments, when; names, keys and versions only.
import type {AuditEvent} from '../api/contract.js'
import {table} from '../ui/render.js'
import type {CommandContext} from './context.js'

export interface AuditOptions {
  /** The last N events. */
  limit: number
}

export async function audit(options: AuditOptions, ctx: CommandContext): Promise<AuditEvent[]> {
  const events = await (await ctx.hush()).audit({limit: options.limit})
  if (ctx.json) return events
  if (events.length === 0) {
    ctx.log('No events yet.')
    return events
  }
  const rows = events.map((event) => [
    event.at,
    event.event,
    event.secret === null ? '' : event.app ? `${event.secret} (app ${event.app})` : event.secret,
    event.counts
      ? Object.entries(event.counts)
          .map(([kind, count]) => `${kind}=${count}`)
          .join(',')
      : event.keys.join(','),
    event.version === null ? '' : String(event.version),
    event.deployment ?? '',
  ])
  ctx.log(await table(['TIME', 'EVENT', 'SECRET', 'KEYS', 'VERSION', 'DEPLOYMENT'], rows))
  return events
}
