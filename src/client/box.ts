// Sealing plaintext values for the agent on the caller's side (CLI and SDK alike): each value is
// checked, then sealed to the agent's public key, so no request body ever holds plaintext.
import type {SealedValue} from '../api/contract.js'
import {checkKey, checkValue} from '../api/limits.js'
import {loadSodium} from '../crypto/sodium.js'
import {sealValue} from '../crypto/transport.js'

/** Plaintext values by key, in the order given. Wipe with `wipeValues` after sealing. */
export type PlainValues = Map<string, Uint8Array>

const encoder = new TextEncoder()

/** Values given as text (or bytes) by key, checked like the agent checks them; the caller wipes the result. */
export function plainValues(values: Record<string, string | Uint8Array>): PlainValues {
  const plain: PlainValues = new Map()
  try {
    for (const [key, value] of Object.entries(values)) {
      checkKey(key)
      const bytes = typeof value === 'string' ? encoder.encode(value) : Uint8Array.from(value)
      plain.set(key, bytes)
      checkValue(key, bytes)
    }
  } catch (error) {
    wipeValues(plain)
    throw error
  }
  return plain
}

export async function sealValues(publicKey: string, values: PlainValues): Promise<Record<string, SealedValue>> {
  const sodium = await loadSodium()
  // fromEntries defines each key as an own property: `__proto__` stays a key, never a prototype.
  return Object.fromEntries([...values].map(([key, bytes]) => [key, sealValue(sodium, publicKey, bytes)]))
}

export function wipeValues(values: PlainValues): void {
  for (const bytes of values.values()) bytes.fill(0)
  values.clear()
}
