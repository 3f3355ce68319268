// Test tools for the unlock cache: read a store's kernel keyring entry back with keyctl, plant one,
// and remove what a test left (every store's entry goes with its test home).
import {execa} from 'execa'

async function keyctl(args: string[], input?: string | Buffer): Promise<{stdout: string; exitCode: number}> {
  const result = await execa('keyctl', args, {reject: false, input, stdin: input === undefined ? 'ignore' : undefined})
  return {stdout: result.stdout, exitCode: result.exitCode ?? -1}
}

/** The keyrings hush writes to, best first (see src/crypto/kernel-keyring.ts). */
async function rings(): Promise<string[]> {
  const persistent = await keyctl(['get_persistent', '@s'])
  return [...(persistent.exitCode === 0 ? [persistent.stdout.trim()] : []), '@u']
}

/** The key id of the store's entry, searched as keyctl users would; undefined when there is none. */
export async function cachedEntryId(storeId: string): Promise<string | undefined> {
  for (const ring of await rings()) {
    const found = await keyctl(['search', ring, 'user', `hush:${storeId}`])
    if (found.exitCode === 0) return found.stdout.trim()
  }
  return undefined
}

/** The entry's payload as keyctl pipes it out. */
export async function cachedPayload(storeId: string): Promise<Buffer | undefined> {
  const id = await cachedEntryId(storeId)
  if (!id) return undefined
  const result = await execa('keyctl', ['pipe', id], {
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
    stdin: 'ignore',
  })
  return result.exitCode === 0 ? Buffer.from(result.stdout) : undefined
}

/** Writes `payload` as the store's entry in the user keyring (a planted, foreign entry). */
export async function plantEntry(storeId: string, payload: string | Buffer): Promise<void> {
  await removeCachedEntries(storeId)
  const added = await keyctl(['padd', 'user', `hush:${storeId}`, '@u'], payload)
  if (added.exitCode !== 0) throw new Error(`keyctl padd failed: ${added.stdout}`)
}

export async function removeCachedEntries(storeId: string): Promise<void> {
  for (let id = await cachedEntryId(storeId); id; id = await cachedEntryId(storeId)) {
    if ((await keyctl(['invalidate', id])).exitCode !== 0) return
  }
}
