// The one place where a secret value is encrypted or decrypted at rest, and the life of the key
// that does it: a random data key, wrapped by the master key (key-sources.ts says where that comes
// from), encrypts each value with XChaCha20-Poly1305; the associated data binds the ciphertext to
// its store, secret, key and version. Unlock, seal, init, change of passphrase, rotation.
import type {
  AuditEventType,
  ChangePassphraseOutput,
  InitOutput,
  KeyringMode,
  KeyringStatus,
  RotateKeyOutput,
  SealState,
  UnlockCacheState,
} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import type {UnlockTtl} from '../../api/rules/ttl.js'
import {aeadDecrypt, aeadEncrypt} from '../../crypto/aead.js'
import * as kernelKeyring from '../../crypto/kernel-keyring.js'
import {probeOsKeyring} from '../../crypto/os-keyring.js'
import {checkPassphrase, deriveMasterKey, newKdfParams, parseKdfParams} from '../../crypto/passphrase.js'
import type {Sodium} from '../../crypto/sodium.js'
import {KeyedLock} from '../process/keyed-lock.js'
import type {CipherRow, SecretRow, Store} from '../store/secrets-table.js'
import {
  CachedKeySource,
  freshKey,
  KDF_PARAMS,
  kernelUnlockCache,
  type MasterKeySource,
  OsKeyringSource,
  PassphraseSource,
  type UnlockCache,
} from './key-sources.js'

const WRAPPED_DATA_KEY = 'data_key'
/** Store meta: which master key wraps the data key (`os` when absent, for stores made before init). */
const KEYRING_MODE = 'keyring'

/** The longest delay setTimeout takes; a longer TTL is left to the kernel (the next agent sees it expired). */
const MAX_TIMER_MS = 2 ** 31 - 1

/** What a value's ciphertext is bound to, besides its store and key: its secret's row and version. */
export type ValueOwner = Pick<SecretRow, 'id' | 'name' | 'version'>

function valueAd(storeId: string, secret: ValueOwner, key: string): string {
  return `hush/value/v1\u0000${storeId}\u0000${secret.id}\u0000${secret.name}\u0000${key}\u0000${secret.version}`
}

/** Re-encrypts one ciphertext bound to `owner` from the old data key to the new (during a rotation). */
export type Reencrypt = (owner: ValueOwner, row: CipherRow) => CipherRow

/** Ciphertexts under the data key kept outside `secret_values` (deployments' copies of their values). */
export interface CiphertextHolder {
  /** Called inside the rotation's transaction: rewrite every ciphertext it holds with `reencrypt`. */
  reencryptCopies(reencrypt: Reencrypt): void
}

/** The answer of every route not marked `whileSealed` while the store is sealed. */
export function sealedError(): HushError {
  return new HushError('sealed', 'The hush store is sealed (passphrase mode): run `hush unseal` first.')
}

export class Vault {
  private dataKey: Uint8Array | undefined
  private unlocking: Promise<void> | undefined
  /** Every change of key (init, unseal, seal, expiry, change of passphrase, rotation) runs one at a time. */
  private readonly keyChanges = new KeyedLock<'store'>()
  private currentMode: KeyringMode
  /** Others holding ciphertexts under the data key: a rotation re-encrypts theirs too. */
  private readonly holders: CiphertextHolder[] = []
  /** What this agent knows of the unlock cache (hello); `keyringStatus()` checks it again. */
  cacheState: UnlockCacheState
  /** Seals the store when the unlock cache's TTL runs out. */
  private expiryTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly sodium: Sodium,
    private readonly store: Store,
    private readonly osKeyring: MasterKeySource = new OsKeyringSource(store.storeId),
    private readonly unlockCache: UnlockCache = kernelUnlockCache,
  ) {
    this.currentMode = store.getMeta(KEYRING_MODE) === 'passphrase' ? 'passphrase' : 'os'
    this.cacheState = {state: this.currentMode === 'os' ? 'none' : 'absent', expiresAt: null, problem: null}
  }

  get mode(): KeyringMode {
    return this.currentMode
  }

  /** Passphrase mode without the data key in memory: only routes marked `whileSealed` answer. */
  get sealed(): boolean {
    return this.currentMode === 'passphrase' && this.dataKey === undefined
  }

  /**
   * Loads the data key. OS mode: from the keyring (creating the master and data keys for a new
   * store). Passphrase mode: only `unseal` loads it, so a sealed store answers `sealed`.
   */
  unlock(): Promise<void> {
    if (this.dataKey) return Promise.resolve()
    if (this.currentMode === 'passphrase') return Promise.reject(sealedError())
    this.unlocking ??= this.loadFromKeyring().finally(() => {
      this.unlocking = undefined
    })
    return this.unlocking
  }

  /** Drops the data key from memory. */
  lock(): void {
    clearTimeout(this.expiryTimer)
    this.expiryTimer = undefined
    if (this.dataKey) this.sodium.memzero(this.dataKey)
    this.dataKey = undefined
  }

  /**
   * Passphrase mode, at the agent's start: opens the store with the key an earlier agent left in
   * the unlock cache. An entry that does not open this store is ignored and left as it is (the
   * store stays sealed); the reason is kept for hello, `daemon status` and `doctor`.
   */
  openFromCache(): Promise<UnlockCacheState> {
    return this.serial(async () => {
      if (this.currentMode !== 'passphrase' || this.dataKey) return this.cacheState
      const {state, dataKey} = await this.evaluateCache(await this.unlockCache.read(this.store.storeId))
      this.cacheState = state
      if (!dataKey) return state
      this.dataKey = dataKey
      this.sealAt(state.expiresAt)
      this.audit('store.unsealed')
      return state
    })
  }

  /** Checks where the master key comes from now: the Secret Service, or the unlock cache. */
  async keyringStatus(): Promise<KeyringStatus> {
    if (this.currentMode === 'os') {
      const probe = await probeOsKeyring(this.store.storeId)
      return {
        keyring: 'os',
        sealed: false,
        osKeyring: {reachable: probe.reachable, reason: probe.reachable ? null : probe.reason},
        unlockCache: this.cacheState,
      }
    }
    let unlockCache = this.cacheState
    if (unlockCache.state !== 'off') {
      const {state, dataKey} = await this.evaluateCache(await this.unlockCache.read(this.store.storeId))
      if (dataKey) this.sodium.memzero(dataKey)
      unlockCache = state
    }
    return {keyring: 'passphrase', sealed: this.sealed, osKeyring: null, unlockCache}
  }

  /**
   * What the unlock cache holds for this store: the data key its entry opens, or the state to
   * report (an entry that does not open the store is ignored, never changed). Wipes the read key.
   */
  private async evaluateCache(read: kernelKeyring.CacheRead): Promise<{state: UnlockCacheState; dataKey?: Uint8Array}> {
    const ignored = (reason: string): UnlockCacheState => ({
      state: 'invalid',
      expiresAt: null,
      problem: `the kernel keyring entry ${kernelKeyring.description(this.store.storeId)} was ignored: ${reason}`,
    })
    if (read.state === 'absent') return {state: {state: 'absent', expiresAt: null, problem: null}}
    if (read.state === 'unavailable') return {state: {state: 'unavailable', expiresAt: null, problem: read.reason}}
    if (read.state === 'invalid') return {state: ignored(read.reason)}
    const {key, expiresAt, keyring} = read.entry
    try {
      const dataKey = await this.unwrap(new CachedKeySource(key))
      return {state: {state: 'present', expiresAt, problem: null, keyring}, dataKey}
    } catch (error) {
      if (!(error instanceof HushError && error.code === 'wrong_passphrase')) throw error
      return {state: ignored('its key does not open this store')}
    } finally {
      this.sodium.memzero(key)
    }
  }

  /** Keeps the master key in the unlock cache for `ttl`; a cache that cannot keep it is reported, not fatal. */
  private async remember(master: Uint8Array, ttl: UnlockTtl): Promise<void> {
    if (ttl === 'off') {
      await this.unlockCache.remove(this.store.storeId).catch(() => false)
      this.cacheState = {state: 'off', expiresAt: null, problem: null}
      return
    }
    try {
      const entry = await this.unlockCache.write(this.store.storeId, master, ttl)
      this.cacheState = {state: 'present', expiresAt: entry.expiresAt, problem: null, keyring: entry.keyring}
      this.sealAt(entry.expiresAt)
    } catch (error) {
      if (!(error instanceof kernelKeyring.KernelKeyringUnavailable)) throw error
      this.cacheState = {state: 'unavailable', expiresAt: null, problem: error.message}
    }
  }

  /** An unlock that ends with the cache entry's TTL: the store seals itself then. */
  private sealAt(expiresAt: string | null): void {
    clearTimeout(this.expiryTimer)
    this.expiryTimer = undefined
    if (!expiresAt) return
    const delay = Date.parse(expiresAt) - Date.now()
    if (delay > MAX_TIMER_MS) return
    this.expiryTimer = setTimeout(
      () => {
        void this.serial(async () => {
          if (!this.dataKey) return
          this.lock()
          this.cacheState = {state: 'absent', expiresAt: null, problem: null}
          this.audit('store.sealed')
        })
      },
      Math.max(0, delay),
    )
    this.expiryTimer.unref()
  }

  /**
   * Passphrase mode: derives the master key and opens the data key (a wrong passphrase is
   * refused), then keeps the master key in the unlock cache for `ttl`.
   */
  unseal(passphrase: Uint8Array, ttl: UnlockTtl = 0): Promise<SealState> {
    return this.serial(async () => {
      this.requirePassphraseMode('unseal')
      const params = parseKdfParams(String(this.store.getMeta(KDF_PARAMS) ?? ''))
      let master: Uint8Array | undefined
      const dataKey = await this.unwrap(new PassphraseSource(this.sodium, passphrase, params), (key) => {
        master = new Uint8Array(key)
      })
      try {
        if (this.dataKey) {
          this.sodium.memzero(dataKey)
          return {sealed: false, changed: false, unlockCache: this.cacheState}
        }
        this.dataKey = dataKey
        this.audit('store.unsealed')
        if (master) await this.remember(master, ttl)
        return {sealed: false, changed: true, unlockCache: this.cacheState}
      } finally {
        if (master) this.sodium.memzero(master)
      }
    })
  }

  /**
   * Passphrase mode: removes the unlock cache entry and wipes the data key at once; secret routes
   * answer `sealed` until `unseal`.
   */
  seal(): Promise<SealState> {
    return this.serial(async () => {
      this.requirePassphraseMode('seal')
      let problem: string | null = null
      try {
        await this.unlockCache.remove(this.store.storeId)
      } catch (error) {
        if (!(error instanceof kernelKeyring.KernelKeyringUnavailable)) throw error
        problem = error.message
      }
      this.cacheState = {state: problem ? 'unavailable' : 'absent', expiresAt: null, problem}
      if (!this.dataKey) return {sealed: true, changed: false, unlockCache: this.cacheState}
      this.lock()
      this.audit('store.sealed')
      return {sealed: true, changed: true, unlockCache: this.cacheState}
    })
  }

  /**
   * Chooses how the master key is kept. A new store gets a new data key; a store in the other
   * mode keeps its data key, which is re-wrapped under the new master key (it must be unsealed).
   * `passphrase` is the new passphrase for passphrase mode (owned and wiped by the caller).
   */
  init(mode: KeyringMode, passphrase: Uint8Array | undefined, ttl: UnlockTtl = 0): Promise<InitOutput> {
    return this.serial(async () => {
      const target = this.source(mode, passphrase)
      let master: Uint8Array | undefined
      const keep = (key: Uint8Array) => {
        if (mode === 'passphrase') master = new Uint8Array(key)
      }
      try {
        return await this.initWith(mode, target, keep, () => (master ? this.remember(master, ttl) : Promise.resolve()))
      } finally {
        if (master) this.sodium.memzero(master)
      }
    })
  }

  private async initWith(
    mode: KeyringMode,
    target: MasterKeySource,
    keep: (master: Uint8Array) => void,
    remember: () => Promise<void>,
  ): Promise<InitOutput> {
    if (this.store.getMeta(WRAPPED_DATA_KEY) === undefined) {
      const dataKey = freshKey()
      try {
        await this.wrap(target, dataKey, 'store.initialized', keep)
      } catch (error) {
        this.sodium.memzero(dataKey)
        throw error
      }
      this.lock()
      this.dataKey = dataKey
      await remember()
      if (mode === 'os') this.cacheState = {state: 'none', expiresAt: null, problem: null}
      return {keyring: mode, action: 'created', sealed: false, ...this.cacheOutput(mode)}
    }
    if (mode === this.currentMode) return {keyring: mode, action: 'unchanged', sealed: this.sealed}
    const previous = this.currentMode === 'os' ? this.osKeyring : undefined
    await this.unlock().catch((error: unknown) => {
      if (!(error instanceof HushError && error.code === 'keyring_unavailable')) throw error
      throw new HushError(
        'keyring_unavailable',
        `This store's data key is wrapped by the OS keyring, which is not reachable (${String(error.details.reason)}): switching to a passphrase needs it once, so start the keyring and run \`hush init --keyring passphrase\` again (or start over with a new HUSH_HOME).`,
        error.details,
      )
    })
    await this.wrap(target, this.key(), 'store.rewrapped', keep)
    await previous?.forget().catch(() => undefined)
    if (mode === 'os') {
      // The passphrase's cached key no longer opens anything: drop it.
      await this.unlockCache.remove(this.store.storeId).catch(() => false)
      this.cacheState = {state: 'none', expiresAt: null, problem: null}
    } else {
      await remember()
    }
    return {keyring: mode, action: 'rewrapped', sealed: false, ...this.cacheOutput(mode)}
  }

  private cacheOutput(mode: KeyringMode): {unlockCache?: UnlockCacheState} {
    return mode === 'passphrase' ? {unlockCache: this.cacheState} : {}
  }

  private source(mode: KeyringMode, passphrase: Uint8Array | undefined): MasterKeySource {
    if (mode === 'os') return this.osKeyring
    if (!passphrase) throw new HushError('bad_request', 'Passphrase mode needs a passphrase.')
    checkPassphrase(passphrase)
    return new PassphraseSource(this.sodium, passphrase, newKdfParams(this.sodium))
  }

  private serial<T>(action: () => Promise<T>): Promise<T> {
    return this.keyChanges.run('store', action)
  }

  private requirePassphraseMode(verb: 'seal' | 'unseal'): void {
    if (this.currentMode !== 'passphrase') {
      throw new HushError(
        'wrong_keyring_mode',
        `This store keeps its master key in the OS keyring, so there is nothing to ${verb}: \`hush init --keyring passphrase\` switches it to passphrase mode.`,
      )
    }
  }

  private audit(event: AuditEventType & `store.${string}`, counts?: Record<string, number>): void {
    this.store.addAudit(
      {event, secret: null, keys: [], version: null, deployment: null, ...(counts ? {counts} : {})},
      new Date().toISOString(),
    )
  }

  private dataKeyAd(): string {
    return `hush/data-key/v1\u0000${this.store.storeId}`
  }

  /**
   * Wraps `dataKey` under a new master key of `source` and commits the wrapping, the mode and the
   * audit event (none for the implicit first key of an OS keyring store) in one transaction.
   */
  private async wrap(
    source: MasterKeySource,
    dataKey: Uint8Array,
    event: 'store.initialized' | 'store.rewrapped' | 'store.passphrase_changed' | undefined,
    keep?: (master: Uint8Array) => void,
  ): Promise<void> {
    const master = await source.masterKey(true)
    const sealed = aeadEncrypt(this.sodium, master, dataKey, this.dataKeyAd())
    keep?.(master)
    this.sodium.memzero(master)
    this.store.transaction(() => {
      this.store.setMeta(WRAPPED_DATA_KEY, Buffer.concat([sealed.nonce, sealed.ciphertext]))
      this.store.setMeta(KEYRING_MODE, source.mode)
      this.store.deleteMeta(KDF_PARAMS)
      for (const [key, value] of Object.entries(source.meta())) this.store.setMeta(key, value)
      if (event) this.audit(event)
    })
    this.currentMode = source.mode
    // The old wrapping (under the old passphrase or keyring entry) leaves the files before the answer.
    this.store.erase()
  }

  /**
   * Opens the stored data key with `source`'s master key; refuses a key that does not open it.
   * `keep` sees the master key (before it is wiped) once it has opened the data key.
   */
  private async unwrap(source: MasterKeySource, keep?: (master: Uint8Array) => void): Promise<Uint8Array> {
    const wrapped = this.store.getMeta(WRAPPED_DATA_KEY)
    if (wrapped === undefined) {
      throw new HushError('master_key_missing', 'This store has no data key yet: run `hush init`.')
    }
    const master = await source.masterKey(false)
    const bytes = Buffer.isBuffer(wrapped) ? wrapped : Buffer.from(wrapped)
    const nonceBytes = this.sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
    const dataKey = aeadDecrypt(
      this.sodium,
      master,
      {nonce: bytes.subarray(0, nonceBytes), ciphertext: bytes.subarray(nonceBytes)},
      this.dataKeyAd(),
    )
    if (dataKey) keep?.(master)
    this.sodium.memzero(master)
    if (dataKey) return dataKey
    if (source.mode === 'passphrase') {
      throw new HushError('wrong_passphrase', 'Wrong passphrase: the store stays sealed. Try `hush unseal` again.')
    }
    throw new HushError(
      'master_key_missing',
      'The master key in the OS keyring does not open this store (wrong keyring entry, or a damaged store).',
    )
  }

  private async loadFromKeyring(): Promise<void> {
    if (this.store.getMeta(WRAPPED_DATA_KEY) === undefined) {
      const dataKey = freshKey()
      try {
        await this.wrap(this.osKeyring, dataKey, undefined)
      } catch (error) {
        this.sodium.memzero(dataKey)
        // A new store with no keyring: the CLI may offer passphrase mode on a terminal.
        if (error instanceof HushError && error.code === 'keyring_unavailable') {
          throw new HushError(error.code, error.message, {...error.details, newStore: true})
        }
        throw error
      }
      this.dataKey = dataKey
      return
    }
    this.dataKey = await this.unwrap(this.osKeyring)
  }

  private key(): Uint8Array {
    if (!this.dataKey) throw sealedError()
    return this.dataKey
  }

  /** Encrypts one value of `secret` under the data key, bound to this store, the secret and `key`. */
  encrypt(secret: ValueOwner, key: string, plaintext: Uint8Array): CipherRow {
    const sealed = aeadEncrypt(this.sodium, this.key(), plaintext, valueAd(this.store.storeId, secret, key))
    return {key, ...sealed}
  }

  /** Decrypts one stored value, or reports the secret as corrupt. */
  decrypt(secret: ValueOwner, row: CipherRow): Uint8Array {
    return this.decryptWith(this.key(), secret, row)
  }

  private decryptWith(dataKey: Uint8Array, secret: ValueOwner, row: CipherRow): Uint8Array {
    const plaintext = aeadDecrypt(this.sodium, dataKey, row, valueAd(this.store.storeId, secret, row.key))
    if (!plaintext) {
      throw new HushError(
        'store_corrupt',
        `Secret ${secret.name} is corrupt in the store (key ${row.key} fails authentication): set it again with \`hush secrets new ${secret.name} ...\`.`,
        {secret: secret.name, key: row.key},
      )
    }
    return plaintext
  }

  wipe(buffer: Uint8Array): void {
    this.sodium.memzero(buffer)
  }

  // --- Changing keys (backup and recovery): a new passphrase, a new data key ---

  /**
   * Passphrase mode: re-wraps the data key under `next` (with a new salt) once `current` proves it
   * opens the store; one transaction, so the store opens with exactly one of the two passphrases.
   * A sealed store stays sealed. Both passphrases stay owned (and wiped) by the caller.
   */
  changePassphrase(current: Uint8Array, next: Uint8Array): Promise<ChangePassphraseOutput> {
    return this.serial(async () => {
      this.requirePassphraseStore()
      checkPassphrase(next)
      const dataKey = await this.unwrapWithCurrentPassphrase(current)
      let master: Uint8Array | undefined
      try {
        await this.wrap(
          new PassphraseSource(this.sodium, next, newKdfParams(this.sodium)),
          dataKey,
          'store.passphrase_changed',
          (key) => {
            master = new Uint8Array(key)
          },
        )
      } finally {
        this.sodium.memzero(dataKey)
      }
      try {
        // The master key in the unlock cache was derived from the old passphrase and opens nothing
        // now: the new one takes its place for what remained of its time, so the store stays unlocked.
        if (this.cacheState.state === 'present') {
          const {expiresAt} = this.cacheState
          const ttl = expiresAt ? Math.max(1, Math.ceil((Date.parse(expiresAt) - Date.now()) / 1000)) : 0
          await (master ? this.remember(master, ttl) : Promise.reject(new Error('no key'))).catch(async () => {
            await this.unlockCache.remove(this.store.storeId).catch(() => false)
            this.cacheState = {state: 'absent', expiresAt: null, problem: null}
          })
        }
      } finally {
        if (master) this.sodium.memzero(master)
      }
      return {sealed: this.sealed}
    })
  }

  /**
   * A new random data key: every stored value is decrypted with the old one and encrypted with the
   * new one, and the new key's wrapping replaces the old, all in ONE transaction (kill -9 at any
   * moment leaves either the old key and old ciphertexts or the new key and new ciphertexts). The
   * master key stays what it is: the same OS keyring entry, or in passphrase mode the same
   * passphrase and salt (`passphrase`, owned by the caller, proves it first), so a master key in
   * the unlock cache still opens the store.
   */
  rotateDataKey(passphrase: Uint8Array | undefined): Promise<RotateKeyOutput> {
    return this.serial(async () => {
      let oldKey: Uint8Array
      let master: Uint8Array
      if (this.currentMode === 'passphrase') {
        if (!passphrase)
          throw new HushError('bad_request', 'Rotating the key of a passphrase store needs its passphrase.')
        oldKey = await this.unwrapWithCurrentPassphrase(passphrase)
        // The same salt: the master key stays what it was (and what the unlock cache may hold).
        master = deriveMasterKey(this.sodium, passphrase, parseKdfParams(String(this.store.getMeta(KDF_PARAMS) ?? '')))
      } else {
        if (passphrase) throw new HushError('bad_request', 'An OS keyring store takes no passphrase to rotate its key.')
        await this.unlock()
        oldKey = Uint8Array.from(this.key())
        master = await this.osKeyring.masterKey(false)
      }
      const newKey = freshKey()
      try {
        const sealed = aeadEncrypt(this.sodium, master, newKey, this.dataKeyAd())
        const counts = this.store.transaction(() => {
          const counts = this.reencryptAll(oldKey, newKey)
          this.store.setMeta(WRAPPED_DATA_KEY, Buffer.concat([sealed.nonce, sealed.ciphertext]))
          this.audit('store.key_rotated', counts)
          return counts
        })
        // Same synchronous turn as the commit: no write can run between the two keys.
        if (this.dataKey) {
          this.lock()
          this.dataKey = newKey
        } else {
          this.sodium.memzero(newKey)
        }
        // The old wrapping and the old ciphertexts leave the files too (store/connection.ts, erase).
        this.store.erase()
        return {keyring: this.currentMode, ...counts}
      } catch (error) {
        // (Once committed, newKey is the live key: only erase() can throw then, and the key stays.)
        if (this.dataKey !== newKey) this.sodium.memzero(newKey)
        throw error
      } finally {
        this.sodium.memzero(master)
        this.sodium.memzero(oldKey)
      }
    })
  }

  /** Registers a holder of ciphertexts under the data key (the deployments' copies). */
  addCiphertextHolder(holder: CiphertextHolder): void {
    this.holders.push(holder)
  }

  /** Inside the rotation's transaction: every live value and every holder's copy, from `oldKey` to `newKey`. */
  private reencryptAll(oldKey: Uint8Array, newKey: Uint8Array): {secrets: number; values: number} {
    const storeId = this.store.storeId
    const reencrypt: Reencrypt = (owner, row) => {
      const plain = this.decryptWith(oldKey, owner, row)
      const sealed = aeadEncrypt(this.sodium, newKey, plain, valueAd(storeId, owner, row.key))
      this.sodium.memzero(plain)
      return {key: row.key, ...sealed}
    }
    let values = 0
    const secrets = this.store.list(false)
    for (const secret of secrets) {
      const rows = this.store.ciphertexts(secret.id).map((row) => reencrypt(secret, row))
      this.store.replaceCiphertexts(secret.id, rows)
      values += rows.length
    }
    for (const holder of this.holders) holder.reencryptCopies(reencrypt)
    return {secrets: secrets.length, values}
  }

  private requirePassphraseStore(): void {
    if (this.currentMode !== 'passphrase') {
      throw new HushError(
        'wrong_keyring_mode',
        'This store keeps its master key in the OS keyring, so it has no passphrase to change: `hush init --keyring passphrase` switches it to passphrase mode.',
      )
    }
  }

  /** The data key (a copy the caller wipes), opened with the current passphrase; a wrong one changes nothing. */
  private async unwrapWithCurrentPassphrase(passphrase: Uint8Array): Promise<Uint8Array> {
    const params = parseKdfParams(String(this.store.getMeta(KDF_PARAMS) ?? ''))
    try {
      return await this.unwrap(new PassphraseSource(this.sodium, passphrase, params))
    } catch (error) {
      if (error instanceof HushError && error.code === 'wrong_passphrase') {
        throw new HushError('wrong_passphrase', 'Wrong current passphrase: nothing changed.')
      }
      throw error
    }
  }
}
