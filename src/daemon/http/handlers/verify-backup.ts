// POST /v1/backup/verify: checks a backup file's passphrase and every byte; changes nothing.
import type {Routes} from '../../../api/contract.js'
import {backupFileBytes} from './backup-file.js'
import type {Handler} from './types.js'

export const verifyBackup: Handler<Routes['verifyBackup']> = (input, agent) => {
  const file = backupFileBytes(input.file)
  return agent.withPassphrase(input.passphrase, (passphrase) => agent.backups.verify(file, passphrase))
}
