// Loads libsodium once. The sumo build is used because passphrase mode needs crypto_pwhash,
// which the standard build declares but does not ship.
import type sodiumType from 'libsodium-wrappers-sumo'

export type Sodium = typeof sodiumType

let loading: Promise<Sodium> | undefined

export function loadSodium(): Promise<Sodium> {
  loading ??= import('libsodium-wrappers-sumo').then(async (mod) => {
    const sodium = (mod.default ?? mod) as Sodium
    await sodium.ready
    return sodium
  })
  return loading
}
