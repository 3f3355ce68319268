// The master key in the OS keyring (Secret Service on Linux, through keytar): service `hush`,
// one account per store. Every failure to reach the keyring becomes one clear error.
import {HushError} from '../api/errors.js'

export const KEYRING_SERVICE = 'hush'
const KEYRING_TIMEOUT_MS = 15_000

type Keytar = typeof import('keytar')

let keytarLoading: Promise<Keytar> | undefined

function loadKeytar(): Promise<Keytar> {
  keytarLoading ??= import('keytar').then((mod) => (mod.default ?? mod) as Keytar)
  return keytarLoading
}

function unreachable(reason: string): HushError {
  return new HushError(
    'keyring_unavailable',
    `The OS keyring is not reachable (${reason}): start a Secret Service such as gnome-keyring in your D-Bus session, or run \`hush init --keyring passphrase\`.`,
    {reason},
  )
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  if (!process.env.DBUS_SESSION_BUS_ADDRESS && /dbus|x11|display|autolaunch/i.test(text)) return 'no D-Bus session bus'
  if (/could not connect|connection refused|no such file|failed to connect/i.test(text)) {
    const bus = process.env.DBUS_SESSION_BUS_ADDRESS
    return bus ? `the D-Bus session bus ${bus} does not answer` : 'the D-Bus session bus does not answer'
  }
  if (/org\.freedesktop\.secrets|service files|ServiceUnknown/i.test(text))
    return 'no Secret Service on the D-Bus session bus'
  if (/locked|prompt|dismissed/i.test(text)) return 'the keyring is locked'
  if (/object does not exist at path .*collection/i.test(text))
    return 'the keyring is locked or has no login collection'
  return text.split('\n')[0].slice(0, 160)
}

async function withKeyring<T>(action: (keytar: Keytar) => Promise<T>): Promise<T> {
  let keytar: Keytar
  try {
    keytar = await loadKeytar()
  } catch (error) {
    throw unreachable(`keytar could not load: ${describe(error)}`)
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable('the keyring did not answer within 15 s')), KEYRING_TIMEOUT_MS)
  })
  try {
    return await Promise.race([action(keytar), timeout])
  } catch (error) {
    if (error instanceof HushError) throw error
    throw unreachable(describe(error))
  } finally {
    clearTimeout(timer)
  }
}

export async function readMasterKey(account: string): Promise<Uint8Array | undefined> {
  const stored = await withKeyring((keytar) => keytar.getPassword(KEYRING_SERVICE, account))
  if (stored === null) return undefined
  const key = Buffer.from(stored, 'base64')
  if (key.length !== 32) {
    throw new HushError(
      'master_key_missing',
      `The keyring entry ${KEYRING_SERVICE}/${account} is not a 32-byte hush master key: restore it from a backup.`,
    )
  }
  return new Uint8Array(key)
}

export async function writeMasterKey(account: string, key: Uint8Array): Promise<void> {
  await withKeyring((keytar) => keytar.setPassword(KEYRING_SERVICE, account, Buffer.from(key).toString('base64')))
}

/** Removes this store's entry (after its data key was re-wrapped under a passphrase). */
export async function deleteMasterKey(account: string): Promise<void> {
  await withKeyring((keytar) => keytar.deletePassword(KEYRING_SERVICE, account))
}
