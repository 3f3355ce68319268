// Where a store's master key comes from: the OS keyring, a passphrase (Argon2id), or the unlock
// cache an earlier agent left in the kernel keyring. key-lifecycle.ts and key-change.ts decide when
// each is used.
import {randomBytes} from 'node:crypto'
import type {KdfParams, KeyringMode} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import * as kernelKeyring from '../../crypto/kernel-keyring.js'
import {deleteMasterKey, readMasterKey, writeMasterKey} from '../../crypto/os-keyring.js'
import {deriveMasterKey, parseKdfParams} from '../../crypto/passphrase.js'
import type {Sodium} from '../../crypto/sodium.js'
import type {Store} from '../store/secrets-table.js'

/** Store meta in passphrase mode: the Argon2id salt and parameters (JSON). */
export const KDF_PARAMS = 'kdf'

/** The Argon2id salt and parameters the store's passphrase was last wrapped with. */
export function storedKdfParams(store: Store): KdfParams {
  return parseKdfParams(String(store.getMeta(KDF_PARAMS) ?? ''))
}

/** Where the master key comes from. */
export interface MasterKeySource {
  readonly mode: KeyringMode
  /** Returns the master key; with `create`, makes and keeps a new one (a new store or a new wrapping). */
  masterKey(create: boolean): Promise<Uint8Array>
  /** Store meta kept with the wrapped data key (passphrase mode: the KDF salt and parameters). */
  meta(): Record<string, string>
  /** Forgets the master key once the data key is wrapped by another source (best effort). */
  forget(): Promise<void>
}

/** The OS keyring holds the master key: service `hush`, account = the store id. */
export class OsKeyringSource implements MasterKeySource {
  readonly mode = 'os' as const

  constructor(readonly account: string) {}

  async masterKey(create: boolean): Promise<Uint8Array> {
    if (create) {
      const key = freshKey()
      await writeMasterKey(this.account, key)
      return key
    }
    const key = await readMasterKey(this.account)
    if (!key) {
      throw new HushError(
        'master_key_missing',
        `This store's master key is not in the OS keyring (service hush, account ${this.account}): restore that entry, or start over with a new HUSH_HOME.`,
      )
    }
    return key
  }

  meta(): Record<string, string> {
    return {}
  }

  async forget(): Promise<void> {
    await deleteMasterKey(this.account)
  }
}

/** Passphrase mode: the master key is derived (Argon2id) from the passphrase and the stored parameters. */
export class PassphraseSource implements MasterKeySource {
  readonly mode = 'passphrase' as const

  /** `passphrase` stays owned (and wiped) by the caller. */
  constructor(
    private readonly sodium: Sodium,
    private readonly passphrase: Uint8Array,
    private readonly params: KdfParams,
  ) {}

  async masterKey(): Promise<Uint8Array> {
    return deriveMasterKey(this.sodium, this.passphrase, this.params)
  }

  meta(): Record<string, string> {
    return {[KDF_PARAMS]: JSON.stringify(this.params)}
  }

  async forget(): Promise<void> {
    // Nothing is kept: the passphrase exists only in the user's head.
  }
}

/**
 * The unlock cache of a passphrase store: its master key kept outside the agent (the Linux kernel
 * keyring, crypto/kernel-keyring.ts) so that a later agent opens the store without asking.
 */
export interface UnlockCache {
  read(storeId: string): Promise<kernelKeyring.CacheRead>
  /** Throws kernelKeyring.KernelKeyringUnavailable when it cannot keep the key. */
  write(storeId: string, key: Uint8Array, ttlSeconds: number): Promise<kernelKeyring.CachedKey>
  remove(storeId: string): Promise<boolean>
}

export const kernelUnlockCache: UnlockCache = {
  read: kernelKeyring.readCachedKey,
  write: kernelKeyring.writeCachedKey,
  remove: kernelKeyring.removeCachedKey,
}

/** A passphrase store's master key as the unlock cache gave it back (owned, and wiped, by key-lifecycle.ts). */
export class CachedKeySource implements MasterKeySource {
  readonly mode = 'passphrase' as const

  constructor(private readonly key: Uint8Array) {}

  async masterKey(): Promise<Uint8Array> {
    return new Uint8Array(this.key)
  }

  meta(): Record<string, string> {
    return {}
  }

  async forget(): Promise<void> {}
}

/** 32 random bytes in a buffer of their own (a Buffer from randomBytes may sit in Node's shared pool). */
export function freshKey(): Uint8Array {
  const raw = randomBytes(32)
  const key = new Uint8Array(raw)
  raw.fill(0)
  return key
}
