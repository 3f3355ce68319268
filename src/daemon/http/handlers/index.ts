// The table of handlers, one per route of the contract; the compiler checks none is missing.
import {audit} from './audit.js'
import {backup} from './backup.js'
import {changePassphrase} from './change-passphrase.js'
import {createSecret} from './create-secret.js'
import {deleteSecret} from './delete-secret.js'
import {engineStatus} from './engine-status.js'
import {getDeployment} from './get-deployment.js'
import {hello} from './hello.js'
import {init} from './init.js'
import {keyringStatus} from './keyring-status.js'
import {listDeployments} from './list-deployments.js'
import {listSecrets} from './list-secrets.js'
import {logs} from './logs.js'
import {restore} from './restore.js'
import {resubmit} from './resubmit.js'
import {rotateKey} from './rotate-key.js'
import {rotateSecret} from './rotate-secret.js'
import {seal} from './seal.js'
import {showSecret} from './show-secret.js'
import {shutdown} from './shutdown.js'
import {storeStatus} from './store-status.js'
import {submit} from './submit.js'
import {terminate} from './terminate.js'
import type {HandlerTable} from './types.js'
import {unseal} from './unseal.js'
import {verifyBackup} from './verify-backup.js'

export const handlers: HandlerTable = {
  hello,
  shutdown,
  init,
  unseal,
  seal,
  keyringStatus,
  storeStatus,
  engineStatus,
  listSecrets,
  createSecret,
  showSecret,
  rotateSecret,
  deleteSecret,
  audit,
  submit,
  listDeployments,
  getDeployment,
  resubmit,
  terminate,
  logs,
  backup,
  verifyBackup,
  restore,
  rotateKey,
  changePassphrase,
}
