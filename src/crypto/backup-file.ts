// The backup file format: a readable header (format, hush version, time, counts, KDF parameters)
// and a libsodium secretstream (XChaCha20-Poly1305) under a key derived (Argon2id) from a backup
// passphrase. The header is the associated data of the first chunk, so the whole file is authenticated.
import type {BackupCounts, BackupHeader, KdfParams} from '../api/contract.js'
import {HushError, quoted} from '../api/errors.js'
import {checkPassphrase, deriveMasterKey, newKdfParams} from './passphrase.js'
import type {Sodium} from './sodium.js'

/** The format this hush writes and the newest it reads. */
export const BACKUP_FORMAT = 1
const MAGIC = 'hush-backup\n'
const MAX_HEADER_BYTES = 64 * 1024
const CHECK_CONTEXT = 'hush/backup/key-check/v1'
/** Bounds on a header's Argon2id work, so an edited header cannot make the agent spin or swap. */
const MAX_OPSLIMIT = 16
const MAX_MEMLIMIT = 256 * 1024 * 1024

export interface BackupPlain {
  /** Metadata (JSON bytes, no value in it). */
  meta: Uint8Array
  /** The values, one chunk each, in the order the metadata lists them. The caller wipes them. */
  values: Uint8Array[]
}

/**
 * Backup KDF parameters: the same Argon2id cost as a passphrase-mode store (libsodium INTERACTIVE:
 * 2 passes over 64 MiB), whose file is just as open to offline guessing; kept in the header, so a
 * later hush can raise them and still read these files. The passphrase's length is the defence.
 */
export function newBackupKdfParams(sodium: Sodium): KdfParams {
  return newKdfParams(sodium)
}

function keyCheck(sodium: Sodium, key: Uint8Array): string {
  return sodium.to_base64(sodium.crypto_generichash(32, CHECK_CONTEXT, key), sodium.base64_variants.ORIGINAL)
}

function damaged(detail: string): HushError {
  return new HushError(
    'backup_damaged',
    `The backup file is damaged (${detail}): nothing was changed; use another copy of the backup.`,
  )
}

function u32(length: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(length, 0)
  return bytes
}

/** Encrypts `plain` into a whole backup file. `kdf` is for tests (cheap parameters); default: newBackupKdfParams. */
export function encryptBackup(
  sodium: Sodium,
  passphrase: Uint8Array,
  plain: BackupPlain,
  info: {hush: string; createdAt: string; counts: BackupCounts},
  kdf: KdfParams = newBackupKdfParams(sodium),
): Buffer {
  checkPassphrase(passphrase)
  const key = deriveMasterKey(sodium, passphrase, kdf)
  try {
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      hush: info.hush,
      createdAt: info.createdAt,
      counts: info.counts,
      kdf,
      cipher: 'xchacha20poly1305-secretstream',
      check: keyCheck(sodium, key),
    }
    const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`, 'utf8')
    const stream = sodium.crypto_secretstream_xchacha20poly1305_init_push(key)
    const parts: Uint8Array[] = [head, stream.header]
    const push = (chunk: Uint8Array, ad: Uint8Array | null, tag: number) => {
      const encrypted = sodium.crypto_secretstream_xchacha20poly1305_push(stream.state, chunk, ad, tag)
      parts.push(u32(encrypted.length), encrypted)
    }
    const message = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
    push(plain.meta, head, message)
    for (const value of plain.values) push(value, null, message)
    push(new Uint8Array(0), null, sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
    return Buffer.concat(parts)
  } finally {
    sodium.memzero(key)
  }
}

/** The header of a backup file, checked for shape and format version; no passphrase needed. */
export function readBackupHeader(file: Uint8Array): {header: BackupHeader; headerBytes: Uint8Array} {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  if (bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) {
    throw new HushError('backup_damaged', 'This file is not a hush backup (no hush-backup header): check the path.')
  }
  const end = bytes.indexOf(0x0a, MAGIC.length)
  if (end < 0 || end > MAX_HEADER_BYTES) throw damaged('its header line is cut short')
  let parsed: Partial<BackupHeader>
  try {
    parsed = JSON.parse(bytes.subarray(MAGIC.length, end).toString('utf8')) as Partial<BackupHeader>
  } catch {
    throw damaged('its header is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || !Number.isInteger(parsed.format)) {
    throw damaged('its header has no format version')
  }
  if ((parsed.format as number) > BACKUP_FORMAT) {
    throw new HushError(
      'backup_unsupported',
      `This backup is in format ${parsed.format}, written by hush ${quoted(parsed.hush, 40)}; this hush reads format ${BACKUP_FORMAT} and older: upgrade hush to restore it.`,
    )
  }
  const kdf = parsed.kdf
  const counts = parsed.counts
  if (
    parsed.format !== BACKUP_FORMAT ||
    parsed.cipher !== 'xchacha20poly1305-secretstream' ||
    typeof parsed.check !== 'string' ||
    typeof parsed.hush !== 'string' ||
    typeof parsed.createdAt !== 'string' ||
    typeof kdf !== 'object' ||
    kdf === null ||
    kdf.alg !== 'argon2id13' ||
    !Number.isInteger(kdf.opslimit) ||
    kdf.opslimit < 1 ||
    kdf.opslimit > MAX_OPSLIMIT ||
    !Number.isInteger(kdf.memlimit) ||
    kdf.memlimit < 8192 ||
    kdf.memlimit > MAX_MEMLIMIT ||
    typeof kdf.salt !== 'string' ||
    typeof counts !== 'object' ||
    counts === null ||
    !(['secrets', 'values', 'deleted', 'audit'] as const).every((name) => Number.isInteger(counts[name]))
  ) {
    throw damaged('its header is incomplete')
  }
  return {header: parsed as BackupHeader, headerBytes: bytes.subarray(0, end + 1)}
}

/**
 * Opens a whole backup file: a wrong passphrase, any changed byte, a file cut short or extended
 * is a one-line error. The caller wipes the returned values.
 */
export function openBackup(
  sodium: Sodium,
  file: Uint8Array,
  passphrase: Uint8Array,
): BackupPlain & {header: BackupHeader} {
  const {header, headerBytes} = readBackupHeader(file)
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  let key: Uint8Array
  try {
    key = deriveMasterKey(sodium, passphrase, header.kdf)
  } catch {
    throw damaged('its key parameters are invalid')
  }
  const values: Uint8Array[] = []
  try {
    if (keyCheck(sodium, key) !== header.check) {
      throw new HushError(
        'wrong_passphrase',
        'Wrong backup passphrase (or a damaged header): nothing was changed; try again with the passphrase given at backup time.',
      )
    }
    let offset = headerBytes.length
    const streamHeaderBytes = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
    if (bytes.length < offset + streamHeaderBytes) throw damaged('it is cut short')
    const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(
      bytes.subarray(offset, offset + streamHeaderBytes),
      key,
    )
    offset += streamHeaderBytes
    let meta: Uint8Array | undefined
    for (;;) {
      if (offset === bytes.length) throw damaged('it is cut short')
      if (offset + 4 > bytes.length) throw damaged('it is cut short')
      const length = bytes.readUInt32BE(offset)
      offset += 4
      if (offset + length > bytes.length) throw damaged('it is cut short')
      let opened: {message: Uint8Array; tag: number} | false
      try {
        opened = sodium.crypto_secretstream_xchacha20poly1305_pull(
          state,
          bytes.subarray(offset, offset + length),
          meta === undefined ? headerBytes : null,
        )
      } catch {
        opened = false
      }
      if (!opened) throw damaged(`authentication fails at byte ${offset}`)
      offset += length
      if (opened.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        if (meta === undefined || opened.message.length !== 0) throw damaged('its last chunk is not where it should be')
        if (offset !== bytes.length) throw damaged('it has bytes after its end')
        return {header, meta, values}
      }
      if (meta === undefined) meta = opened.message
      else values.push(opened.message)
    }
  } catch (error) {
    for (const value of values) sodium.memzero(value)
    throw error
  } finally {
    sodium.memzero(key)
  }
}
