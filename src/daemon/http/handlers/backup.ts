// POST /v1/backup: every live secret (and, asked for, deleted metadata and audit) encrypted into one
// backup file under the backup passphrase; the file comes back base64, never a value.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const backup: Handler<Routes['backup']> = (input, agent) =>
  agent.withPassphrase(input.passphrase, (passphrase) =>
    agent.backups.backup(passphrase, input.includeDeleted ?? false),
  )
