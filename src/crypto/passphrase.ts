// Passphrase mode's master key: Argon2id (libsodium crypto_pwhash) over the passphrase and a random
// salt kept in the store meta, with parameters fit for an interactive unlock. Nothing here is stored
// but the salt and the parameters; the passphrase and the derived key live in wiped buffers only.
import type {KdfParams} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {Sodium} from './sodium.js'

export const MIN_PASSPHRASE_BYTES = 8
export const MAX_PASSPHRASE_BYTES = 1024

/** Fresh parameters with a new random salt. INTERACTIVE: about 0.25 s and 64 MiB in the agent. */
export function newKdfParams(sodium: Sodium): KdfParams {
  return {
    alg: 'argon2id13',
    opslimit: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE,
    memlimit: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE,
    salt: sodium.to_base64(sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES), sodium.base64_variants.ORIGINAL),
  }
}

export function parseKdfParams(text: string): KdfParams {
  try {
    const parsed = JSON.parse(text) as Partial<KdfParams>
    if (
      parsed.alg === 'argon2id13' &&
      Number.isInteger(parsed.opslimit) &&
      Number.isInteger(parsed.memlimit) &&
      typeof parsed.salt === 'string'
    ) {
      return parsed as KdfParams
    }
  } catch {
    // reported below
  }
  throw new HushError(
    'store_corrupt',
    'The store says passphrase mode but its key derivation parameters are damaged: restore the store from a backup.',
  )
}

/** Checks a new passphrase's length without ever echoing it. */
export function checkPassphrase(bytes: Uint8Array): void {
  if (bytes.length < MIN_PASSPHRASE_BYTES || bytes.length > MAX_PASSPHRASE_BYTES) {
    throw new HushError(
      'bad_request',
      `A passphrase is ${MIN_PASSPHRASE_BYTES} to ${MAX_PASSPHRASE_BYTES} bytes long: choose another one.`,
    )
  }
  if (bytes.includes(0)) throw new HushError('bad_request', 'A passphrase cannot contain a NUL byte.')
}

/** The 32-byte master key for `passphrase` under `params`. The caller wipes it (memzero) after use. */
export function deriveMasterKey(sodium: Sodium, passphrase: Uint8Array, params: KdfParams): Uint8Array {
  const salt = sodium.from_base64(params.salt, sodium.base64_variants.ORIGINAL)
  if (salt.length !== sodium.crypto_pwhash_SALTBYTES) {
    throw new HushError(
      'store_corrupt',
      'The store keeps a passphrase salt of the wrong size: restore it from a backup.',
    )
  }
  return sodium.crypto_pwhash(
    32,
    passphrase,
    salt,
    params.opslimit,
    params.memlimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  )
}
