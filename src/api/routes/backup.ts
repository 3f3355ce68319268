// Backups: the whole store encrypted under a backup passphrase into one file, checked, restored.
import * as v from 'valibot'
import {flag, type InputOf, route, sealed, text} from './route.js'

/** A whole backup file travels base64 in a JSON body: at most this many bytes of file. */
export const MAX_BACKUP_FILE_BYTES = 128 * 1024 * 1024
const BACKUP_BODY_BYTES = Math.ceil(MAX_BACKUP_FILE_BYTES / 3) * 4 + 64 * 1024

export interface BackupCounts {
  /** Live secrets. */
  secrets: number
  /** Values (KEY=VALUE pairs) of the live secrets. */
  values: number
  /** Deleted secrets (metadata only, with --include-deleted). */
  deleted: number
  /** Audit events (with --include-deleted). */
  audit: number
}

/** What a store (and a backup file's header) keeps to derive its master key again: never the passphrase or the key. */
export interface KdfParams {
  alg: 'argon2id13'
  opslimit: number
  memlimit: number
  /** base64 */
  salt: string
}

/** The header of a backup file: readable without the passphrase, authenticated with it. */
export interface BackupHeader {
  format: number
  hush: string
  createdAt: string
  counts: BackupCounts
  kdf: KdfParams
  cipher: 'xchacha20poly1305-secretstream'
  /** base64 keyed BLAKE2b of a fixed text under the derived key: tells a wrong passphrase from a damaged file. */
  check: string
}

const BackupInput = v.strictObject({
  /** The backup passphrase, sealed to the agent's public key. */
  passphrase: sealed,
  /** Add deleted secrets' metadata and the audit trail. */
  includeDeleted: flag,
})
export type BackupInput = InputOf<typeof BackupInput>

export interface BackupOutput {
  header: BackupHeader
  /** The whole encrypted backup file, base64 (the agent encrypts it: no value leaves it in plaintext). */
  file: string
}

const VerifyBackupInput = v.strictObject({
  /** The backup file, base64. */
  file: text,
  passphrase: sealed,
})
export type VerifyBackupInput = InputOf<typeof VerifyBackupInput>

export interface VerifyBackupOutput {
  header: BackupHeader
}

export type RestoreMode = 'into-empty' | 'merge'
export type ConflictRule = 'skip' | 'replace' | 'fail'

const RestoreInput = v.strictObject({
  file: text,
  passphrase: sealed,
  mode: v.picklist(['into-empty', 'merge'] as const satisfies readonly RestoreMode[]),
  /** With `merge`: what to do with a live secret of the same name and scope (default fail). */
  onConflict: v.optional(v.picklist(['skip', 'replace', 'fail'] as const satisfies readonly ConflictRule[])),
})
export type RestoreInput = InputOf<typeof RestoreInput>

export interface RestoreOutput {
  header: BackupHeader
  /** Secrets added (new names). */
  added: number
  /** Names (`name` or `name (app APP)`) replaced, and kept as they were (skipped). */
  replaced: string[]
  skipped: string[]
  /** Deleted secrets' metadata and audit events added. */
  deleted: number
  audit: number
}

export const backupRoutes = {
  /** The agent reads every value and encrypts the whole file under the backup passphrase. */
  backup: route<BackupInput, BackupOutput>('POST', '/v1/backup', BackupInput),
  verifyBackup: route<VerifyBackupInput, VerifyBackupOutput>('POST', '/v1/backup/verify', VerifyBackupInput, {
    whileSealed: true,
    maxBodyBytes: BACKUP_BODY_BYTES,
  }),
  restore: route<RestoreInput, RestoreOutput>('POST', '/v1/restore', RestoreInput, {maxBodyBytes: BACKUP_BODY_BYTES}),
} as const
