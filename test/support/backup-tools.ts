// Test tools for backups: every value of a store read back through `hush backup` and the file
// opened here with its passphrase (values are write-only: this is the one way a test reads them).
import {randomBytes} from 'node:crypto'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import type {BackupCounts} from '../../src/api/contract.js'
import {encryptBackup, openBackup} from '../../src/crypto/backup-file.js'
import {loadSodium} from '../../src/crypto/sodium.js'
import {VERSION} from '../../src/version.js'
import type {TestHome} from './helpers.js'

export const BACKUP_PASSPHRASE = 'test backup passphrase'

const sodium = await loadSodium()
const encoder = new TextEncoder()

/** A backup file opened with BACKUP_PASSPHRASE: its metadata (JSON bytes) and values. */
export async function readBackup(file: string): Promise<{meta: Uint8Array; values: Uint8Array[]}> {
  return openBackup(sodium, readFileSync(file), encoder.encode(BACKUP_PASSPHRASE))
}

/**
 * A hand-made backup file, as anyone with a backup passphrase can write one: `meta` as JSON and
 * `values`, sealed under BACKUP_PASSPHRASE (cheap KDF parameters), the header's counts taken from
 * the content unless `counts` says otherwise.
 */
export function craftBackup(
  meta: {secrets: unknown[]; deleted: unknown[]; audit: unknown[]},
  values: Uint8Array[],
  counts: Partial<BackupCounts> = {},
): Buffer {
  return encryptBackup(
    sodium,
    encoder.encode(BACKUP_PASSPHRASE),
    {meta: encoder.encode(JSON.stringify(meta)), values},
    {
      hush: VERSION,
      createdAt: new Date().toISOString(),
      counts: {
        secrets: meta.secrets.length,
        values: values.length,
        deleted: meta.deleted.length,
        audit: meta.audit.length,
        ...counts,
      },
    },
    {
      alg: 'argon2id13',
      opslimit: sodium.crypto_pwhash_OPSLIMIT_MIN,
      memlimit: sodium.crypto_pwhash_MEMLIMIT_MIN,
      salt: sodium.to_base64(sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES), sodium.base64_variants.ORIGINAL),
    },
  )
}

/** Every value of the store by `name.KEY` (`name@app.KEY` for an app-scoped secret). */
export async function storeValues(t: TestHome, dir: string): Promise<Record<string, string>> {
  const file = join(dir, `values-${randomBytes(3).toString('hex')}.backup`)
  await t.ok(['backup', file], {input: BACKUP_PASSPHRASE})
  const opened = await readBackup(file)
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
