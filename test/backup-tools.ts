// Test tools for backups: every value of a store read back through `hush backup` and the file
// opened here with its passphrase (values are write-only: this is the one way a test reads them).
import {randomBytes} from 'node:crypto'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {openBackup} from '../src/crypto/backup-file.js'
import {loadSodium} from '../src/crypto/sodium.js'
import type {TestHome} from './helpers.js'

export const BACKUP_PASSPHRASE = 'test backup passphrase'

/** Every value of the store by `name.KEY` (`name@app.KEY` for an app-scoped secret). */
export async function storeValues(t: TestHome, dir: string): Promise<Record<string, string>> {
  const file = join(dir, `values-${randomBytes(3).toString('hex')}.backup`)
  await t.ok(['backup', file], {input: BACKUP_PASSPHRASE})
  const opened = openBackup(await loadSodium(), readFileSync(file), new TextEncoder().encode(BACKUP_PASSPHRASE))
  rmSync(file)
  const meta = JSON.parse(new TextDecoder().decode(opened.meta)) as {
    secrets: Array<{name: string; app: string | null; keys: string[]}>
  }
  const out: Record<string, string> = {}
  let next = 0
  for (const secret of meta.secrets) {
    const name = secret.app ? `${secret.name}@${secret.app}` : secret.name
    for (const key of secret.keys) out[`${name}.${key}`] = new TextDecoder().decode(opened.values[next++])
  }
  return out
}
