// POST /v1/restore: a backup file into this store (into an empty one, or merged with a conflict
// rule), all or nothing.
import type {Routes} from '../../../api/contract.js'
import {HushError} from '../../../api/errors.js'
import {backupFileBytes} from './backup-file.js'
import type {Handler} from './types.js'

export const restore: Handler<Routes['restore']> = (input, agent) => {
  const onConflict = input.onConflict ?? 'fail'
  if (input.mode === 'into-empty' && input.onConflict !== undefined) {
    throw new HushError('bad_request', '`onConflict` goes with mode "merge" only.')
  }
  const file = backupFileBytes(input.file)
  return agent.withPassphrase(input.passphrase, (passphrase) =>
    agent.backups.restore(file, passphrase, input.mode, onConflict),
  )
}
