// Values in transit: the CLI boxes each value to the agent's public key (libsodium's sealed box,
// crypto_box_seal), so no request body on the socket ever holds plaintext. Only the agent holds
// the secret half.
import type {Sodium} from './sodium.js'

export interface TransportKeys {
  publicKey: Uint8Array
  privateKey: Uint8Array
}

export function newTransportKeys(sodium: Sodium): TransportKeys {
  const {publicKey, privateKey} = sodium.crypto_box_keypair()
  return {publicKey, privateKey}
}

export function boxValue(sodium: Sodium, publicKeyBase64: string, value: Uint8Array): string {
  const publicKey = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL)
  return sodium.to_base64(sodium.crypto_box_seal(value, publicKey), sodium.base64_variants.ORIGINAL)
}

/** Returns the plaintext bytes, or undefined when the box was not made for this key or was altered. */
export function openBox(sodium: Sodium, keys: TransportKeys, boxed: string): Uint8Array | undefined {
  try {
    const box = sodium.from_base64(boxed, sodium.base64_variants.ORIGINAL)
    return sodium.crypto_box_seal_open(box, keys.publicKey, keys.privateKey)
  } catch {
    return undefined
  }
}
