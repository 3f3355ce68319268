// The unlock cache: a passphrase store's master key kept in the Linux kernel keyring (keyutils,
// through Debian's `keyctl`) so that later agents open the store without asking. One `user` key
// per store, `hush:<store id>`, with an optional timeout, in the user's persistent keyring where
// the kernel lets us write there (it outlives an SSH logout; the kernel drops it after 3 idle days
// by default), else in the user keyring `@u` (it lives while the user has a process).
// The key goes through keyctl's standard input and output only (`padd`, `pipe`), never its argv.
import {spawn} from 'node:child_process'

const KEYCTL_TIMEOUT_MS = 5_000
const PAYLOAD_TAG = 'hush-unlock/v1'

/** What an unlock cache entry holds: the master key and what it is for. */
export interface CachedKey {
  storeId: string
  key: Uint8Array
  /** ISO time the kernel drops the entry; null: until reboot (or the persistent keyring's expiry). */
  expiresAt: string | null
  /** Which keyring holds it. */
  keyring: KeyringName
}

/** `persistent`: survives logout (3 idle days); `user`: gone when the user's last process ends. */
export type KeyringName = 'persistent' | 'user'

export type CacheRead =
  | {state: 'present'; entry: CachedKey}
  | {state: 'absent'}
  /** An entry that is not a hush key for this store (garbage, another store's key). */
  | {state: 'invalid'; reason: string}
  | {state: 'unavailable'; reason: string}

export class KernelKeyringUnavailable extends Error {}

interface KeyctlResult {
  code: number | null
  stdout: Buffer
  stderr: string
}

function keyctl(args: string[], input?: Buffer): Promise<KeyctlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('keyctl', args, {stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), KEYCTL_TIMEOUT_MS)
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(
        new KernelKeyringUnavailable(
          error.code === 'ENOENT'
            ? '`keyctl` is not installed (apt-get install keyutils)'
            : `keyctl could not run (${error.code ?? error.message})`,
        ),
      )
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
    child.once('close', (code) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out)
      for (const chunk of out) chunk.fill(0)
      resolve({code, stdout, stderr: stderr.trim()})
    })
  })
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/^keyctl_\w+:\s*|^keyctl:\s*/, '')
}

/**
 * The keyrings to use, best first: the persistent keyring (attached to the session keyring so its
 * keys are possessed) when the kernel gives it, then the user keyring.
 */
async function keyrings(): Promise<Array<{name: KeyringName; id: string}>> {
  const result = await keyctl(['get_persistent', '@s'])
  const id = result.stdout.toString('utf8').trim()
  const rings: Array<{name: KeyringName; id: string}> = []
  if (result.code === 0 && /^\d+$/.test(id)) rings.push({name: 'persistent', id})
  const user = await keyctl(['show', '@u'])
  if (user.code !== 0) {
    throw new KernelKeyringUnavailable(
      `the kernel keyring is not available here (keyctl: ${firstLine(user.stderr || result.stderr) || `exit ${user.code}`})`,
    )
  }
  rings.push({name: 'user', id: '@u'})
  return rings
}

export function description(storeId: string): string {
  return `hush:${storeId}`
}

/** The id of this store's entry, or undefined when there is none (or it expired). */
async function findEntry(ring: string, storeId: string): Promise<string | undefined> {
  const result = await keyctl(['search', ring, 'user', description(storeId)])
  const id = result.stdout.toString('utf8').trim()
  if (result.code === 0 && /^\d+$/.test(id)) return id
  if (/not available|expired|revoked|No such file/i.test(result.stderr)) return undefined
  throw new KernelKeyringUnavailable(`keyctl search failed (${firstLine(result.stderr) || `exit ${result.code}`})`)
}

function encode(entry: Omit<CachedKey, 'keyring'>): Buffer {
  return Buffer.from(
    `${PAYLOAD_TAG}\n${entry.storeId}\n${entry.expiresAt ?? '-'}\n${Buffer.from(entry.key).toString('base64')}\n`,
  )
}

function decode(bytes: Buffer, storeId: string, keyring: KeyringName): CachedKey | string {
  const text = bytes.toString('utf8')
  const [tag, owner, expires, key, rest] = text.split('\n')
  if (tag !== PAYLOAD_TAG || rest !== '' || owner === undefined || key === undefined)
    return 'it does not hold a hush key'
  if (owner !== storeId) return `it holds the key of another store (${owner.slice(0, 36)})`
  const raw = Buffer.from(key, 'base64')
  if (raw.length !== 32) {
    raw.fill(0)
    return 'it does not hold a 32-byte key'
  }
  const copy = new Uint8Array(raw)
  raw.fill(0)
  return {storeId, key: copy, expiresAt: expires === '-' ? null : (expires ?? null), keyring}
}

/** Reads this store's cache entry; never throws. */
export async function readCachedKey(storeId: string): Promise<CacheRead> {
  try {
    let found: {id: string; keyring: KeyringName} | undefined
    for (const ring of await keyrings()) {
      const id = await findEntry(ring.id, storeId).catch((error: unknown) => {
        // A persistent keyring we may not search is as good as absent: the user keyring may hold it.
        if (ring.name === 'persistent' && error instanceof KernelKeyringUnavailable) return undefined
        throw error
      })
      if (id) {
        found = {id, keyring: ring.name}
        break
      }
    }
    if (!found) return {state: 'absent'}
    const id = found.id
    let result = await keyctl(['pipe', id])
    if (result.code !== 0 && found.keyring === 'user' && /permission denied/i.test(result.stderr)) {
      // A session keyring that does not link the user keyring (`keyctl new_session`, `su`
      // without pam_keyinit): its keys are found but not possessed, so not readable. Link it,
      // as pam_keyinit does at login, and read again.
      result.stdout.fill(0)
      const linked = await keyctl(['link', '@u', '@s'])
      result = await keyctl(['pipe', id])
      if (result.code !== 0) {
        result.stdout.fill(0)
        return {
          state: 'unavailable',
          reason: `the entry ${description(storeId)} is in your user keyring, which this session's keyring does not link, so it cannot be read${linked.code === 0 ? '' : ` (keyctl link @u @s: ${firstLine(linked.stderr)})`}: run \`keyctl link @u @s\` in the shell that starts hush, then \`hush daemon stop\``,
        }
      }
    }
    if (result.code !== 0) {
      result.stdout.fill(0)
      if (/expired|revoked|not available/i.test(result.stderr)) return {state: 'absent'}
      return {state: 'unavailable', reason: `keyctl pipe failed (${firstLine(result.stderr)})`}
    }
    const decoded = decode(result.stdout, storeId, found.keyring)
    result.stdout.fill(0)
    if (typeof decoded === 'string') return {state: 'invalid', reason: decoded}
    return {state: 'present', entry: decoded}
  } catch (error) {
    if (error instanceof KernelKeyringUnavailable) return {state: 'unavailable', reason: error.message}
    throw error
  }
}

/**
 * Keeps `key` for `ttlSeconds` (0: until reboot). Replaces the store's previous entry. Throws
 * KernelKeyringUnavailable when keyctl is missing or forbidden.
 */
export async function writeCachedKey(storeId: string, key: Uint8Array, ttlSeconds: number): Promise<CachedKey> {
  const expiresAt = ttlSeconds > 0 ? new Date(Date.now() + ttlSeconds * 1000).toISOString() : null
  const payload = encode({storeId, key, expiresAt})
  try {
    let failure = ''
    for (const ring of await keyrings()) {
      const added = await keyctl(['padd', 'user', description(storeId), ring.id], payload)
      const id = added.stdout.toString('utf8').trim()
      if (added.code !== 0 || !/^\d+$/.test(id)) {
        failure = `keyctl padd failed (${firstLine(added.stderr) || `exit ${added.code}`})`
        continue
      }
      // The timeout goes on the key itself: a reused entry loses its old one too (0 clears it).
      const timed = await keyctl(['timeout', id, String(ttlSeconds)])
      if (timed.code !== 0) {
        await keyctl(['invalidate', id])
        throw new KernelKeyringUnavailable(`keyctl timeout failed (${firstLine(timed.stderr)})`)
      }
      // One entry per store: a stale one in the other keyring would open the store after `seal`.
      for (const other of await keyrings()) {
        if (other.name === ring.name) continue
        const stale = await findEntry(other.id, storeId).catch(() => undefined)
        if (stale) await keyctl(['invalidate', stale])
      }
      return {storeId, key, expiresAt, keyring: ring.name}
    }
    throw new KernelKeyringUnavailable(failure || 'no kernel keyring to write to')
  } finally {
    payload.fill(0)
  }
}

/** Removes this store's entry; true when there was one. Throws KernelKeyringUnavailable. */
export async function removeCachedKey(storeId: string): Promise<boolean> {
  let removed = false
  for (const ring of await keyrings()) {
    // Bounded: an invalidated key is gone from searches at once; a key we may not remove is reported.
    for (let round = 0; round < 8; round++) {
      const id = await findEntry(ring.id, storeId).catch((error: unknown) => {
        if (ring.name === 'persistent' && error instanceof KernelKeyringUnavailable) return undefined
        throw error
      })
      if (!id) break
      const result = await keyctl(['invalidate', id])
      if (result.code !== 0) {
        const unlinked = await keyctl(['unlink', id, ring.id])
        if (unlinked.code !== 0) {
          throw new KernelKeyringUnavailable(`keyctl could not remove the entry (${firstLine(result.stderr)})`)
        }
      }
      removed = true
    }
  }
  return removed
}
