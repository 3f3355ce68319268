// `hush audit`: what happened to secrets and deployments, when; names, keys and versions only.
import {Flags} from '@oclif/core'
import type {AuditEvent} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {table} from '../ui/render.js'

export default class Audit extends HushCommand {
  static override summary = 'Show the audit trail: secret and deployment events, never values.'
  static override examples = ['<%= config.bin %> audit', '<%= config.bin %> audit --limit 20 --json']
  static override flags = {
    limit: Flags.integer({description: 'show the last N events', default: 1000, min: 1, max: 100_000}),
  }

  async run(): Promise<AuditEvent[]> {
    const {flags} = await this.parse(Audit)
    const events = await (await this.hush()).audit({limit: flags.limit})
    if (this.jsonEnabled()) return events
    if (events.length === 0) {
      this.log('No events yet.')
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
    this.log(await table(['TIME', 'EVENT', 'SECRET', 'KEYS', 'VERSION', 'DEPLOYMENT'], rows))
    return events
  }
}
