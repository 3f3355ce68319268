// Authenticated encryption at rest: XChaCha20-Poly1305 (IETF) with associated data that binds
// each ciphertext to where it belongs, so a swapped or edited ciphertext fails to open.
import {randomFillSync} from 'node:crypto'
import type {Sodium} from './sodium.js'

/** A value encrypted under a key: the random nonce and the ciphertext (with its tag). */
export interface Encrypted {
  nonce: Uint8Array
  ciphertext: Uint8Array
}

export function aeadEncrypt(sodium: Sodium, key: Uint8Array, plaintext: Uint8Array, ad: string): Encrypted {
  // A random 192-bit nonce from Node's CSPRNG: libsodium.js draws its random bytes through
  // crypto.getRandomValues four at a time, which cost more than the encryption itself.
  const nonce = randomFillSync(new Uint8Array(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES))
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key)
  return {nonce, ciphertext}
}

/** Returns the plaintext, or undefined when the ciphertext, nonce or associated data do not match. */
export function aeadDecrypt(sodium: Sodium, key: Uint8Array, encrypted: Encrypted, ad: string): Uint8Array | undefined {
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, encrypted.ciphertext, ad, encrypted.nonce, key)
  } catch {
    return undefined
  }
}
