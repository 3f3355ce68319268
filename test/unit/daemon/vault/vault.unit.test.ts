// The vault with fake key sources (no OS keyring, no kernel keyring, no D-Bus): what it encrypts it
// gives back, bound to its secret, key and version; a passphrase store stays sealed until the right
// passphrase or a cached key that opens it; a rotation keeps every value.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {HushError} from '../../../../src/api/errors.js'
import type {CachedKey} from '../../../../src/crypto/kernel-keyring.js'
import {loadSodium, type Sodium} from '../../../../src/crypto/sodium.js'
import {Store} from '../../../../src/daemon/store/secrets-table.js'
import {Vault} from '../../../../src/daemon/vault/key-lifecycle.js'
import type {MasterKeySource, UnlockCache} from '../../../../src/daemon/vault/key-sources.js'

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
  async read(storeId: string) {
    if (!this.key) return {state: 'absent' as const}
    const entry: CachedKey = {storeId, key: new Uint8Array(this.key), expiresAt: null, keyring: 'user'}
    return {state: 'present' as const, entry}
  }
  async write(storeId: string, key: Uint8Array): Promise<CachedKey> {
    this.key = new Uint8Array(key)
    return {storeId, key: new Uint8Array(0), expiresAt: null, keyring: 'user'}
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

describe('Vault', () => {
  let dir: string
  let store: Store
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hush-vault-'))
    store = new Store(join(dir, 'store.db'))
  })
  afterEach(() => {
    store.close()
    rmSync(dir, {recursive: true, force: true})
  })

  /** A secret row with one value stored, as the secrets service writes it. */
  function storeSecret(vault: Vault, name: string, values: Record<string, string>) {
    return store.transaction(() => {
      const row = store.insertSecret(name, null, '', Object.keys(values).sort(), '2026-12-01T00:00:00.000Z')
      store.replaceCiphertexts(
        row.id,
        Object.entries(values).map(([key, value]) => vault.encrypt(row, key, bytes(value))),
      )
      return row
    })
  }

  describe('with the OS keyring', () => {
    it('makes the keys of a new store at the first unlock, and a later vault opens what it stored', async () => {
      const keyring = new FakeKeyring()
      const vault = new Vault(sodium, store, keyring, new FakeUnlockCache())
      expect(vault.sealed).toBe(false)
      await vault.unlock()
      expect(keyring.entry).toBeDefined()
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2', USER: 'admin'})
      const [password] = store.ciphertexts(row.id)
      expect(Buffer.from(password.ciphertext).includes(Buffer.from('hunter2'))).toBe(false)

      const later = new Vault(sodium, store, keyring, new FakeUnlockCache())
      await later.unlock()
      expect(store.ciphertexts(row.id).map((cipher) => text(later.decrypt(row, cipher)))).toEqual(['hunter2', 'admin'])
    })

    it('reports a value moved to another secret, key or version as corrupt, naming the secret', async () => {
      const vault = new Vault(sodium, store, new FakeKeyring(), new FakeUnlockCache())
      await vault.unlock()
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2'})
      const [cipher] = store.ciphertexts(row.id)
      for (const [owner, moved] of [
        [{...row, version: 2}, cipher],
        [{...row, name: 'other'}, cipher],
        [row, {...cipher, key: 'USER'}],
      ] as const) {
        let error: unknown
        try {
          vault.decrypt(owner, moved)
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
      await new Vault(sodium, store, keyring, new FakeUnlockCache()).unlock()
      keyring.entry = new Uint8Array(32)
      await expect(new Vault(sodium, store, keyring, new FakeUnlockCache()).unlock()).rejects.toMatchObject({
        code: 'master_key_missing',
      })
    })

    it('rotates the data key: every value and every holder copy decrypts after, under a new wrapping', async () => {
      const keyring = new FakeKeyring()
      const vault = new Vault(sodium, store, keyring, new FakeUnlockCache())
      await vault.unlock()
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2'})
      let copy = vault.encrypt({id: 999, name: 'copy', version: 1}, 'PASSWORD', bytes('hunter2'))
      vault.addCiphertextHolder({
        reencryptCopies: (reencrypt) => {
          copy = reencrypt({id: 999, name: 'copy', version: 1}, copy)
        },
      })
      const before = store.getMeta('data_key')
      const counts = await vault.rotateDataKey(undefined)
      expect(counts).toEqual({keyring: 'os', secrets: 1, values: 1})
      expect(store.getMeta('data_key')).not.toEqual(before)
      expect(text(vault.decrypt(row, store.ciphertexts(row.id)[0]))).toBe('hunter2')
      expect(text(vault.decrypt({id: 999, name: 'copy', version: 1}, copy))).toBe('hunter2')
      const later = new Vault(sodium, store, keyring, new FakeUnlockCache())
      await later.unlock()
      expect(text(later.decrypt(row, store.ciphertexts(row.id)[0]))).toBe('hunter2')
    })
  })

  describe('with a passphrase', () => {
    const passphrase = () => bytes('correct horse battery')

    it('is sealed for a new agent until the right passphrase, and seals again on seal', async () => {
      const keyring = new FakeKeyring()
      const first = new Vault(sodium, store, keyring, new FakeUnlockCache())
      expect(await first.init('passphrase', passphrase(), 'off')).toMatchObject({action: 'created', sealed: false})
      const row = storeSecret(first, 'db', {PASSWORD: 'hunter2'})
      expect(keyring.entry).toBeUndefined()

      const vault = new Vault(sodium, store, keyring, new FakeUnlockCache())
      expect(vault.sealed).toBe(true)
      await expect(vault.unlock()).rejects.toMatchObject({code: 'sealed'})
      expect(() => vault.decrypt(row, store.ciphertexts(row.id)[0])).toThrow(/sealed/)
      await expect(vault.unseal(bytes('wrong passphrase'))).rejects.toMatchObject({code: 'wrong_passphrase'})
      expect(vault.sealed).toBe(true)
      expect(await vault.unseal(passphrase())).toMatchObject({sealed: false, changed: true})
      expect(text(vault.decrypt(row, store.ciphertexts(row.id)[0]))).toBe('hunter2')
      expect(await vault.seal()).toMatchObject({sealed: true, changed: true})
      expect(() => vault.decrypt(row, store.ciphertexts(row.id)[0])).toThrow(/sealed/)
      expect(store.audit(10).map((event) => event.event)).toEqual(
        expect.arrayContaining(['store.initialized', 'store.unsealed', 'store.sealed']),
      )
    })

    it('opens at start from an unlock cache entry that opens the store, and ignores one that does not', async () => {
      const cache = new FakeUnlockCache()
      const first = new Vault(sodium, store, new FakeKeyring(), cache)
      await first.init('passphrase', passphrase(), 3600)
      expect(cache.key).toBeDefined()

      const next = new Vault(sodium, store, new FakeKeyring(), cache)
      expect(await next.openFromCache()).toMatchObject({state: 'present'})
      expect(next.sealed).toBe(false)

      cache.key = new Uint8Array(32)
      const other = new Vault(sodium, store, new FakeKeyring(), cache)
      expect(await other.openFromCache()).toMatchObject({state: 'invalid'})
      expect(other.sealed).toBe(true)
      expect(cache.key).toEqual(new Uint8Array(32))
    })

    it('changes the passphrase in one step: the old one no longer opens the store, the new one does', async () => {
      const vault = new Vault(sodium, store, new FakeKeyring(), new FakeUnlockCache())
      await vault.init('passphrase', passphrase(), 'off')
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2'})
      await expect(
        vault.changePassphrase(bytes('not the passphrase'), bytes('another passphrase')),
      ).rejects.toMatchObject({
        code: 'wrong_passphrase',
      })
      await vault.changePassphrase(passphrase(), bytes('another passphrase'))
      const later = new Vault(sodium, store, new FakeKeyring(), new FakeUnlockCache())
      await expect(later.unseal(passphrase())).rejects.toMatchObject({code: 'wrong_passphrase'})
      await later.unseal(bytes('another passphrase'))
      expect(text(later.decrypt(row, store.ciphertexts(row.id)[0]))).toBe('hunter2')
    })

    it('switches an OS keyring store to a passphrase keeping its data key, and forgets the keyring entry', async () => {
      const keyring = new FakeKeyring()
      const vault = new Vault(sodium, store, keyring, new FakeUnlockCache())
      await vault.unlock()
      const row = storeSecret(vault, 'db', {PASSWORD: 'hunter2'})
      expect(await vault.init('passphrase', passphrase(), 'off')).toMatchObject({action: 'rewrapped'})
      expect(keyring.forgotten).toBe(true)
      const later = new Vault(sodium, store, keyring, new FakeUnlockCache())
      expect(later.mode).toBe('passphrase')
      await later.unseal(passphrase())
      expect(text(later.decrypt(row, store.ciphertexts(row.id)[0]))).toBe('hunter2')
    })

    it('runs one key change at a time: a seal asked during an unseal comes after it', async () => {
      const vault = new Vault(sodium, store, new FakeKeyring(), new FakeUnlockCache())
      await vault.init('passphrase', passphrase(), 'off')
      await vault.seal()
      const order: string[] = []
      const unseal = vault.unseal(passphrase()).then(() => order.push('unsealed'))
      const seal = vault.seal().then((state) => order.push(`sealed changed=${state.changed}`))
      await Promise.all([unseal, seal])
      expect(order).toEqual(['unsealed', 'sealed changed=true'])
      expect(vault.sealed).toBe(true)
    })
  })
})
