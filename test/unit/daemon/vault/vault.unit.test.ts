// The vault with fake key sources (no OS keyring, no kernel keyring, no D-Bus): what it encrypts it
// gives back, bound to its secret, key and version; a passphrase store stays sealed until the right
// passphrase or a cached key that opens it; a rotation keeps every value.
import {beforeAll, describe, expect, it, vi} from 'vitest'
import {HushError} from '../../../../src/api/errors.js'
import type {CachedKey} from '../../../../src/crypto/kernel-keyring.js'
import {loadSodium, type Sodium} from '../../../../src/crypto/sodium.js'
import {DataKey} from '../../../../src/daemon/vault/data-key.js'
import {KeyChange} from '../../../../src/daemon/vault/key-change.js'
import {KeyLifecycle} from '../../../../src/daemon/vault/key-lifecycle.js'
import type {MasterKeySource, UnlockCache} from '../../../../src/daemon/vault/key-sources.js'
import {storeForTest} from '../../../support/store.js'

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString()
const bytes = (value: string) => new Uint8Array(Buffer.from(value))

/** An OS keyring holding one entry: what `masterKey(true)` wrote, given back by `masterKey(false)`. */
class FakeKeyring implements MasterKeySource {
  readonly mode = 'os' as const
  entry: Uint8Array | undefined
  forgotten = false
  async masterKey(create: boolean): Promise<Uint8Array> {
    if (create) this.entry = new Uint8Array(32).map(() => Math.floor(Math.random() * 256))
    if (!this.entry) throw new HushError('master_key_missing', 'no entry')
    return new Uint8Array(this.entry)
  }
  meta(): Record<string, string> {
    return {}
  }
  async forget(): Promise<void> {
    this.forgotten = true
  }
}

/** The kernel keyring's unlock cache, in memory. */
class FakeUnlockCache implements UnlockCache {
  key: Uint8Array | undefined
  /** With `expires`, an entry written for a TTL says when it ends, as the kernel's does. */
  constructor(private readonly expires = false) {}
  async read(storeId: string) {
    if (!this.key) return {state: 'absent' as const}
    const entry: CachedKey = {storeId, key: new Uint8Array(this.key), expiresAt: null, keyring: 'user'}
    return {state: 'present' as const, entry}
  }
  async write(storeId: string, key: Uint8Array, ttl: number): Promise<CachedKey> {
    this.key = new Uint8Array(key)
    const expiresAt = this.expires && ttl > 0 ? new Date(Date.now() + ttl * 1000).toISOString() : null
    return {storeId, key: new Uint8Array(0), expiresAt, keyring: 'user'}
  }
  async remove(): Promise<boolean> {
    const had = this.key !== undefined
    this.key = undefined
    return had
  }
}

let sodium: Sodium
beforeAll(async () => {
  sodium = await loadSodium()
})

describe('the vault: data key, key lifecycle, key change', () => {
  const t = storeForTest('vault')

  /** The vault's three parts over the store, wired as the agent wires them. */
  function openVault(keyring: MasterKeySource, cache: UnlockCache) {
    const dataKey = new DataKey(sodium, t.store, keyring)
    const lifecycle = new KeyLifecycle(sodium, t.store, dataKey, cache)
    return {dataKey, lifecycle, change: new KeyChange(sodium, t.store, dataKey, lifecycle)}
  }

  /** A secret row with one value stored, as the secrets service writes it. */
  function storeSecret({dataKey}: {dataKey: DataKey}, name: string, values: Record<string, string>) {
    return t.store.transaction(() => {
      const row = t.store.insertSecret(name, null, '', Object.keys(values).sort(), '2026-12-01T00:00:00.000Z')
      t.store.replaceCiphertexts(
        row.id,
        Object.entries(values).map(([key, value]) => dataKey.encrypt(row, key, bytes(value))),
      )
      return row
    })
  }

  describe('with the OS keyring', () => {
    it('makes the keys of a new store at the first unlock, and a later vault opens what it stored', async () => {
      const keyring = new FakeKeyring()
      const vault = openVault(keyring, new FakeUnlockCache())
      expect(vault.dataKey.sealed).toBe(false)
      await vault.dataKey.unlock()
      expect(keyring.entry).toBeDefined()
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2', USER: 'admin'})
      const [password] = t.store.ciphertexts(row.id)
      expect(Buffer.from(password.ciphertext).includes(Buffer.from('hunter2'))).toBe(false)

      const later = openVault(keyring, new FakeUnlockCache())
      await later.dataKey.unlock()
      expect(t.store.ciphertexts(row.id).map((cipher) => text(later.dataKey.decrypt(row, cipher)))).toEqual([
        'hunter2',
        'admin',
      ])
    })

    it('reports a value moved to another secret, key or version as corrupt, naming the secret', async () => {
      const vault = openVault(new FakeKeyring(), new FakeUnlockCache())
      await vault.dataKey.unlock()
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2'})
      const [cipher] = t.store.ciphertexts(row.id)
      for (const [owner, moved] of [
        [{...row, version: 2}, cipher],
        [{...row, name: 'other'}, cipher],
        [row, {...cipher, key: 'USER'}],
      ] as const) {
        let error: unknown
        try {
          vault.dataKey.decrypt(owner, moved)
        } catch (caught) {
          error = caught
        }
        expect(error).toBeInstanceOf(HushError)
        expect(error).toMatchObject({code: 'store_corrupt', details: {secret: owner.name}})
        expect(String((error as Error).message)).not.toContain('hunter2')
      }
    })

    it('refuses a keyring entry that does not open the store', async () => {
      const keyring = new FakeKeyring()
      await openVault(keyring, new FakeUnlockCache()).dataKey.unlock()
      keyring.entry = new Uint8Array(32)
      await expect(openVault(keyring, new FakeUnlockCache()).dataKey.unlock()).rejects.toMatchObject({
        code: 'master_key_missing',
      })
    })

    it('rotates the data key: every value and every holder copy decrypts after, under a new wrapping', async () => {
      const keyring = new FakeKeyring()
      const vault = openVault(keyring, new FakeUnlockCache())
      await vault.dataKey.unlock()
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2'})
      let copy = vault.dataKey.encrypt({id: 999, name: 'copy', version: 1}, 'PASSWORD', bytes('hunter2'))
      vault.change.addCiphertextHolder({
        reencryptCopies: (reencrypt) => {
          copy = reencrypt({id: 999, name: 'copy', version: 1}, copy)
        },
      })
      const before = t.store.getMeta('data_key')
      const counts = await vault.change.rotateDataKey(undefined)
      expect(counts).toEqual({keyring: 'os', secrets: 1, values: 1})
      expect(t.store.getMeta('data_key')).not.toEqual(before)
      expect(text(vault.dataKey.decrypt(row, t.store.ciphertexts(row.id)[0]))).toBe('hunter2')
      expect(text(vault.dataKey.decrypt({id: 999, name: 'copy', version: 1}, copy))).toBe('hunter2')
      const later = openVault(keyring, new FakeUnlockCache())
      await later.dataKey.unlock()
      expect(text(later.dataKey.decrypt(row, t.store.ciphertexts(row.id)[0]))).toBe('hunter2')
    })
  })

  describe('with a passphrase', () => {
    const passphrase = () => bytes('correct horse battery')

    it('is sealed for a new agent until the right passphrase, and seals again on seal', async () => {
      const keyring = new FakeKeyring()
      const first = openVault(keyring, new FakeUnlockCache())
      expect(await first.lifecycle.init('passphrase', passphrase(), 'off')).toMatchObject({
        action: 'created',
        sealed: false,
      })
      const row = storeSecret(first, 'db', {PASSWORD: 'hunter2'})
      expect(keyring.entry).toBeUndefined()

      const vault = openVault(keyring, new FakeUnlockCache())
      expect(vault.dataKey.sealed).toBe(true)
      await expect(vault.dataKey.unlock()).rejects.toMatchObject({code: 'sealed'})
      expect(() => vault.dataKey.decrypt(row, t.store.ciphertexts(row.id)[0])).toThrow(/sealed/)
      await expect(vault.lifecycle.unseal(bytes('wrong passphrase'))).rejects.toMatchObject({code: 'wrong_passphrase'})
      expect(vault.dataKey.sealed).toBe(true)
      expect(await vault.lifecycle.unseal(passphrase())).toMatchObject({sealed: false, changed: true})
      expect(text(vault.dataKey.decrypt(row, t.store.ciphertexts(row.id)[0]))).toBe('hunter2')
      expect(await vault.lifecycle.seal()).toMatchObject({sealed: true, changed: true})
      expect(() => vault.dataKey.decrypt(row, t.store.ciphertexts(row.id)[0])).toThrow(/sealed/)
      expect(t.store.audit(10).map((event) => event.event)).toEqual(
        expect.arrayContaining(['store.initialized', 'store.unsealed', 'store.sealed']),
      )
    })

    it.each([
      ['with no key rotation', false],
      ['after a key rotation', true],
    ])('seals itself when the unlock cache entry ends, %s', async (_, rotate) => {
      vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'Date']})
      try {
        const vault = openVault(new FakeKeyring(), new FakeUnlockCache(true))
        await vault.lifecycle.init('passphrase', passphrase(), 60)
        if (rotate) await vault.change.rotateDataKey(passphrase())
        await vi.advanceTimersByTimeAsync(59_000)
        expect(vault.dataKey.sealed).toBe(false)
        await vi.advanceTimersByTimeAsync(2_000)
        expect(vault.dataKey.sealed).toBe(true)
      } finally {
        vi.useRealTimers()
      }
    })

    it('opens at start from an unlock cache entry that opens the store, and ignores one that does not', async () => {
      const cache = new FakeUnlockCache()
      const first = openVault(new FakeKeyring(), cache)
      await first.lifecycle.init('passphrase', passphrase(), 3600)
      expect(cache.key).toBeDefined()

      const next = openVault(new FakeKeyring(), cache)
      expect(await next.lifecycle.openFromCache()).toMatchObject({state: 'present'})
      expect(next.dataKey.sealed).toBe(false)

      cache.key = new Uint8Array(32)
      const other = openVault(new FakeKeyring(), cache)
      expect(await other.lifecycle.openFromCache()).toMatchObject({state: 'invalid'})
      expect(other.dataKey.sealed).toBe(true)
      expect(cache.key).toEqual(new Uint8Array(32))
    })

    it('changes the passphrase in one step: the old one no longer opens the store, the new one does', async () => {
      const vault = openVault(new FakeKeyring(), new FakeUnlockCache())
      await vault.lifecycle.init('passphrase', passphrase(), 'off')
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2'})
      await expect(
        vault.change.changePassphrase(bytes('not the passphrase'), bytes('another passphrase')),
      ).rejects.toMatchObject({
        code: 'wrong_passphrase',
      })
      await vault.change.changePassphrase(passphrase(), bytes('another passphrase'))
      const later = openVault(new FakeKeyring(), new FakeUnlockCache())
      await expect(later.lifecycle.unseal(passphrase())).rejects.toMatchObject({code: 'wrong_passphrase'})
      await later.lifecycle.unseal(bytes('another passphrase'))
      expect(text(later.dataKey.decrypt(row, t.store.ciphertexts(row.id)[0]))).toBe('hunter2')
    })

    it('switches an OS keyring store to a passphrase keeping its data key, and forgets the keyring entry', async () => {
      const keyring = new FakeKeyring()
      const vault = openVault(keyring, new FakeUnlockCache())
      await vault.dataKey.unlock()
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2'})
      expect(await vault.lifecycle.init('passphrase', passphrase(), 'off')).toMatchObject({action: 'rewrapped'})
      expect(keyring.forgotten).toBe(true)
      const later = openVault(keyring, new FakeUnlockCache())
      expect(later.dataKey.mode).toBe('passphrase')
      await later.lifecycle.unseal(passphrase())
      expect(text(later.dataKey.decrypt(row, t.store.ciphertexts(row.id)[0]))).toBe('hunter2')
    })

    it('runs one key change at a time: a seal asked during an unseal comes after it', async () => {
      const vault = openVault(new FakeKeyring(), new FakeUnlockCache())
      await vault.lifecycle.init('passphrase', passphrase(), 'off')
      await vault.lifecycle.seal()
      const order: string[] = []
      const unseal = vault.lifecycle.unseal(passphrase()).then(() => order.push('unsealed'))
      const seal = vault.lifecycle.seal().then((state) => order.push(`sealed changed=${state.changed}`))
      await Promise.all([unseal, seal])
      expect(order).toEqual(['unsealed', 'sealed changed=true'])
      expect(vault.dataKey.sealed).toBe(true)
    })
  })
})
