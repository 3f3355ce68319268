// The data key's life in one agent: init (how the master key is kept), unseal and seal of a
// passphrase store, and its unlock cache (the master key in the kernel keyring, for a TTL after which
// the store seals itself) that lets a later agent open the store without asking.
import type {InitOutput, KeyringMode, KeyringStatus, SealState, UnlockCacheState} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import type {UnlockTtl} from '../../api/rules/ttl.js'
import * as kernelKeyring from '../../crypto/kernel-keyring.js'
import {probeOsKeyring} from '../../crypto/os-keyring.js'
import {checkPassphrase, newKdfParams} from '../../crypto/passphrase.js'
import type {Sodium} from '../../crypto/sodium.js'
import type {Store} from '../store/secrets-table.js'
import {auditKeyEvent, type DataKey} from './data-key.js'
import {
  CachedKeySource,
  freshKey,
  kernelUnlockCache,
  type MasterKeySource,
  PassphraseSource,
  storedKdfParams,
  type UnlockCache,
} from './key-sources.js'

/** The longest delay setTimeout takes; a longer TTL is left to the kernel (the next agent sees it expired). */
const MAX_TIMER_MS = 2 ** 31 - 1

export class KeyLifecycle {
  /** What this agent knows of the unlock cache (hello); `keyringStatus()` checks it again. */
  cacheState: UnlockCacheState
  /** Seals the store when the unlock cache's TTL runs out. */
  private expiryTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly sodium: Sodium,
    private readonly store: Store,
    private readonly dataKey: DataKey,
    private readonly unlockCache: UnlockCache = kernelUnlockCache,
  ) {
    this.cacheState = {state: dataKey.mode === 'os' ? 'none' : 'absent', expiresAt: null, problem: null}
  }

  /** Drops the data key from memory (and the timer that would have done it at the TTL). */
  lock(): void {
    clearTimeout(this.expiryTimer)
    this.expiryTimer = undefined
    this.dataKey.drop()
  }

  /**
   * Passphrase mode, at the agent's start: opens the store with the key an earlier agent left in
   * the unlock cache. An entry that does not open this store is ignored and left as it is (the
   * store stays sealed); the reason is kept for hello, `daemon status` and `doctor`.
   */
  openFromCache(): Promise<UnlockCacheState> {
    return this.dataKey.serial(async () => {
      if (this.dataKey.mode !== 'passphrase' || this.dataKey.held) return this.cacheState
      const {state, dataKey} = await this.evaluateCache(await this.unlockCache.read(this.store.storeId))
      this.cacheState = state
      if (!dataKey) return state
      this.dataKey.hold(dataKey)
      this.sealAt(state.expiresAt)
      auditKeyEvent(this.store, 'store.unsealed')
      return state
    })
  }

  /** Checks where the master key comes from now: the Secret Service, or the unlock cache. */
  async keyringStatus(): Promise<KeyringStatus> {
    if (this.dataKey.mode === 'os') {
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
    return {keyring: 'passphrase', sealed: this.dataKey.sealed, osKeyring: null, unlockCache}
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
      const dataKey = await this.dataKey.unwrap(new CachedKeySource(key))
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

  /**
   * After a change of passphrase: the master key in the unlock cache was derived from the old one
   * and opens nothing now, so `master` (the new one's, when known) takes its place for what remained
   * of its time and the store stays unlocked; failing that, the entry is removed.
   */
  async replaceCachedKey(master: Uint8Array | undefined): Promise<void> {
    if (this.cacheState.state !== 'present') return
    const {expiresAt} = this.cacheState
    const ttl = expiresAt ? Math.max(1, Math.ceil((Date.parse(expiresAt) - Date.now()) / 1000)) : 0
    await (master ? this.remember(master, ttl) : Promise.reject(new Error('no key'))).catch(async () => {
      await this.unlockCache.remove(this.store.storeId).catch(() => false)
      this.cacheState = {state: 'absent', expiresAt: null, problem: null}
    })
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
        void this.dataKey.serial(async () => {
          if (!this.dataKey.held) return
          this.lock()
          this.cacheState = {state: 'absent', expiresAt: null, problem: null}
          auditKeyEvent(this.store, 'store.sealed')
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
    return this.dataKey.serial(async () => {
      this.requirePassphraseMode('unseal')
      const params = storedKdfParams(this.store)
      let master: Uint8Array | undefined
      const dataKey = await this.dataKey.unwrap(new PassphraseSource(this.sodium, passphrase, params), (key) => {
        master = new Uint8Array(key)
      })
      try {
        if (this.dataKey.held) {
          this.sodium.memzero(dataKey)
          return {sealed: false, changed: false, unlockCache: this.cacheState}
        }
        this.dataKey.hold(dataKey)
        auditKeyEvent(this.store, 'store.unsealed')
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
    return this.dataKey.serial(async () => {
      this.requirePassphraseMode('seal')
      let problem: string | null = null
      try {
        await this.unlockCache.remove(this.store.storeId)
      } catch (error) {
        if (!(error instanceof kernelKeyring.KernelKeyringUnavailable)) throw error
        problem = error.message
      }
      this.cacheState = {state: problem ? 'unavailable' : 'absent', expiresAt: null, problem}
      if (!this.dataKey.held) return {sealed: true, changed: false, unlockCache: this.cacheState}
      this.lock()
      auditKeyEvent(this.store, 'store.sealed')
      return {sealed: true, changed: true, unlockCache: this.cacheState}
    })
  }

  /**
   * Chooses how the master key is kept. A new store gets a new data key; a store in the other
   * mode keeps its data key, which is re-wrapped under the new master key (it must be unsealed).
   * `passphrase` is the new passphrase for passphrase mode (owned and wiped by the caller).
   */
  init(mode: KeyringMode, passphrase: Uint8Array | undefined, ttl: UnlockTtl = 0): Promise<InitOutput> {
    return this.dataKey.serial(async () => {
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
    if (!this.dataKey.exists) {
      const dataKey = freshKey()
      try {
        await this.dataKey.wrap(target, dataKey, 'store.initialized', keep)
      } catch (error) {
        this.sodium.memzero(dataKey)
        throw error
      }
      this.lock()
      this.dataKey.hold(dataKey)
      await remember()
      if (mode === 'os') this.cacheState = {state: 'none', expiresAt: null, problem: null}
      return {keyring: mode, action: 'created', sealed: false, ...this.cacheOutput(mode)}
    }
    if (mode === this.dataKey.mode) return {keyring: mode, action: 'unchanged', sealed: this.dataKey.sealed}
    const previous = this.dataKey.mode === 'os' ? this.dataKey.osKeyring : undefined
    await this.dataKey.unlock().catch((error: unknown) => {
      if (!(error instanceof HushError && error.code === 'keyring_unavailable')) throw error
      throw new HushError(
        'keyring_unavailable',
        `This store's data key is wrapped by the OS keyring, which is not reachable (${String(error.details.reason)}): switching to a passphrase needs it once, so start the keyring and run \`hush init --keyring passphrase\` again (or start over with a new HUSH_HOME).`,
        error.details,
      )
    })
    await this.dataKey.wrap(target, this.dataKey.current(), 'store.rewrapped', keep)
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
    if (mode === 'os') return this.dataKey.osKeyring
    if (!passphrase) throw new HushError('bad_request', 'Passphrase mode needs a passphrase.')
    checkPassphrase(passphrase)
    return new PassphraseSource(this.sodium, passphrase, newKdfParams(this.sodium))
  }

  private requirePassphraseMode(verb: 'seal' | 'unseal'): void {
    if (this.dataKey.mode !== 'passphrase') {
      throw new HushError(
        'wrong_keyring_mode',
        `This store keeps its master key in the OS keyring, so there is nothing to ${verb}: \`hush init --keyring passphrase\` switches it to passphrase mode.`,
      )
    }
  }
}
