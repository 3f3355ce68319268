// The master key in the OS keyring (Secret Service on Linux, through @napi-rs/keyring pinned to the
// Secret Service: its kernel-keyring fallback would not survive a reboot): service `hush`, one
// account per store. Moves a key that keytar wrote (attribute `account`, where the binding uses
// `username`) to the new layout once. Every failure to reach the keyring becomes one clear error.
import {spawn} from 'node:child_process'
import {HushError} from '../api/errors.js'

export const KEYRING_SERVICE = 'hush'
const KEYRING_TIMEOUT_MS = 15_000

type Binding = typeof import('@napi-rs/keyring')
type Entry = InstanceType<Binding['AsyncEntry']>

let bindingLoading: Promise<Binding> | undefined

function loadBinding(): Promise<Binding> {
  bindingLoading ??= import('@napi-rs/keyring').then((mod) => ((mod as {default?: Binding}).default ?? mod) as Binding)
  return bindingLoading
}

export function keyringUnreachable(reason: string): HushError {
  return new HushError(
    'keyring_unavailable',
    `The OS keyring is not reachable (${reason}): start a Secret Service such as gnome-keyring in your D-Bus session, or run \`hush init --keyring passphrase\`.`,
    {reason},
  )
}

/** A short reason for a failure to reach the Secret Service. */
export function describeKeyringError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  if (!process.env.DBUS_SESSION_BUS_ADDRESS && /dbus|x11|display|autolaunch|platform storage/i.test(text))
    return 'no D-Bus session bus'
  if (/could not connect|connection refused|no such file|failed to connect/i.test(text)) {
    const bus = process.env.DBUS_SESSION_BUS_ADDRESS
    return bus ? `the D-Bus session bus ${bus} does not answer` : 'the D-Bus session bus does not answer'
  }
  if (/org\.freedesktop\.secrets|service files|ServiceUnknown|was not provided by any/i.test(text))
    return 'no Secret Service on the D-Bus session bus'
  if (/locked|prompt|dismissed/i.test(text)) return 'the keyring is locked'
  if (/object does not exist at path .*collection|no default collection/i.test(text))
    return 'the keyring is locked or has no login collection'
  return text.split('\n')[0].slice(0, 160)
}

async function withKeyring<T>(account: string, action: (entry: Entry) => Promise<T>): Promise<T> {
  let binding: Binding
  try {
    binding = await loadBinding()
  } catch (error) {
    throw keyringUnreachable(`@napi-rs/keyring could not load: ${describeKeyringError(error)}`)
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(keyringUnreachable('the keyring did not answer within 15 s')), KEYRING_TIMEOUT_MS)
  })
  try {
    // Pinned to the Secret Service: the default falls back to the kernel keyring, gone at reboot.
    const entry = new binding.AsyncEntry(KEYRING_SERVICE, account, {linux: {store: 'secret-service'}})
    return await Promise.race([action(entry), timeout])
  } catch (error) {
    if (error instanceof HushError) throw error
    throw keyringUnreachable(describeKeyringError(error))
  } finally {
    clearTimeout(timer)
  }
}

function decodeMasterKey(account: string, stored: string): Uint8Array {
  const key = Buffer.from(stored, 'base64')
  if (key.length !== 32) {
    key.fill(0)
    throw new HushError(
      'master_key_missing',
      `The keyring entry ${KEYRING_SERVICE}/${account} is not a 32-byte hush master key: restore it from a backup.`,
    )
  }
  const copy = new Uint8Array(key)
  key.fill(0)
  return copy
}

/** This store's master key, moved from keytar's layout when only that one exists; undefined when neither does. */
export async function readMasterKey(account: string): Promise<Uint8Array | undefined> {
  const stored = await withKeyring(account, (entry) => entry.getPassword())
  if (stored !== null) return decodeMasterKey(account, stored)
  return migrateKeytarEntry(account)
}

export async function writeMasterKey(account: string, key: Uint8Array): Promise<void> {
  await withKeyring(account, (entry) => entry.setPassword(Buffer.from(key).toString('base64')))
}

/** Removes this store's entry (after its data key was re-wrapped under a passphrase), in both layouts. */
export async function deleteMasterKey(account: string): Promise<void> {
  await withKeyring(account, (entry) => entry.deletePassword())
  await secretTool(['clear', 'service', KEYRING_SERVICE, 'account', account]).catch(() => undefined)
}

/** Is the Secret Service answering? A missing entry still counts as reachable. */
export async function probeOsKeyring(account: string): Promise<{reachable: true} | {reachable: false; reason: string}> {
  try {
    await withKeyring(account, (entry) => entry.getPassword())
    return {reachable: true}
  } catch (error) {
    const reason = error instanceof HushError ? String(error.details.reason ?? error.message) : String(error)
    return {reachable: false, reason}
  }
}

/**
 * keytar (hush before 0.2) kept the key under the attributes `service` + `account`, which
 * @napi-rs/keyring does not search. Found with `secret-tool` (libsecret-tools, which keytar's
 * users have with libsecret), written in the new layout, read back, and only then removed.
 */
async function migrateKeytarEntry(account: string): Promise<Uint8Array | undefined> {
  const old = await secretTool(['lookup', 'service', KEYRING_SERVICE, 'account', account]).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    },
  )
  if (old === undefined || old.code !== 0) return undefined
  if (old.stdout.length === 0) return undefined
  const key = decodeMasterKey(account, old.stdout.toString('utf8').trim())
  old.stdout.fill(0)
  await writeMasterKey(account, key)
  const check = await withKeyring(account, (entry) => entry.getPassword())
  if (check === null || !decodeMasterKey(account, check).every((byte, index) => byte === key[index])) {
    throw keyringUnreachable('the master key could not be moved to the new keyring layout; the old entry is kept')
  }
  await secretTool(['clear', 'service', KEYRING_SERVICE, 'account', account])
  return key
}

/** Runs secret-tool; its output (a secret for `lookup`) stays in a Buffer the caller wipes. */
function secretTool(args: string[]): Promise<{code: number | null; stdout: Buffer}> {
  return new Promise((resolve, reject) => {
    const child = spawn('secret-tool', args, {stdio: ['ignore', 'pipe', 'ignore']})
    const chunks: Buffer[] = []
    const timer = setTimeout(() => child.kill('SIGKILL'), KEYRING_TIMEOUT_MS)
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(chunks)
      for (const chunk of chunks) chunk.fill(0)
      resolve({code, stdout})
    })
  })
}
