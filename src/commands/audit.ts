// `hush audit`: what happened to secrets and deployments, when; names, keys and versions only.
import {Flags} from '@oclif/core'
import type {AuditEvent} from '../api/contract.js'
import {audit} from '../cli/audit.js'
import {HushCommand} from '../cli/base.js'

export default class Audit extends HushCommand {
  static override summary = 'Show the audit trail: secret and deployment events, never values.'
  static override examples = ['<%= config.bin %> audit', '<%= config.bin %> audit --limit 20 --json']
  static override flags = {
    limit: Flags.integer({description: 'show the last N events', default: 1000, min: 1, max: 100_000}),
  }

  async run(): Promise<AuditEvent[]> {
    const {flags} = await this.parse(Audit)
    return audit({limit: flags.limit}, this.context())
  }
}
