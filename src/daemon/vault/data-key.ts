// The one place where a secret value is encrypted or decrypted at rest: a random data key, kept in
// store meta wrapped by a master key (key-sources.ts says where that comes from) and held in memory
// once opened, encrypts each value with XChaCha20-Poly1305; the associated data binds the ciphertext
// to its store, secret, key and version. key-lifecycle.ts opens and drops it, key-change.ts replaces it.
import type {AuditEventType, KeyringMode} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {aeadDecrypt, aeadEncrypt} from '../../crypto/aead.js'
import type {Sodium} from '../../crypto/sodium.js'
import {KeyedLock} from '../process/keyed-lock.js'
import type {CipherRow, SecretRow, Store} from '../store/secrets-table.js'
import {freshKey, KDF_PARAMS, type MasterKeySource, OsKeyringSource} from './key-sources.js'

const WRAPPED_DATA_KEY = 'data_key'
/** Store meta: which master key wraps the data key (`os` when absent, for stores made before init). */
const KEYRING_MODE = 'keyring'

/** What a value's ciphertext is bound to, besides its store and key: its secret's row and version. */
export type ValueOwner = Pick<SecretRow, 'id' | 'name' | 'version'>

function valueAd(storeId: string, secret: ValueOwner, key: string): string {
  return `hush/value/v1\u0000${storeId}\u0000${secret.id}\u0000${secret.name}\u0000${key}\u0000${secret.version}`
}

/** The answer of every route not marked `whileSealed` while the store is sealed. */
export function sealedError(): HushError {
  return new HushError('sealed', 'The hush store is sealed (passphrase mode): run `hush unseal` first.')
}

/** Records a change of the store's key (`store.*`) in the audit. */
export function auditKeyEvent(
  store: Store,
  event: AuditEventType & `store.${string}`,
  counts?: Record<string, number>,
): void {
  store.addAudit(
    {event, secret: null, keys: [], version: null, deployment: null, ...(counts ? {counts} : {})},
    new Date().toISOString(),
  )
}

export class DataKey {
  private key: Uint8Array | undefined
  private unlocking: Promise<void> | undefined
  private currentMode: KeyringMode
  /** Every change of key (init, unseal, seal, expiry, change of passphrase, rotation) runs one at a time. */
  private readonly keyChanges = new KeyedLock<'store'>()

  constructor(
    private readonly sodium: Sodium,
    private readonly store: Store,
    readonly osKeyring: MasterKeySource = new OsKeyringSource(store.storeId),
  ) {
    this.currentMode = store.getMeta(KEYRING_MODE) === 'passphrase' ? 'passphrase' : 'os'
  }

  /** Which master key wraps the data key. */
  get mode(): KeyringMode {
    return this.currentMode
  }

  /** Passphrase mode without the data key in memory: only routes marked `whileSealed` answer. */
  get sealed(): boolean {
    return this.currentMode === 'passphrase' && this.key === undefined
  }

  /** The data key is in memory. */
  get held(): boolean {
    return this.key !== undefined
  }

  /** The store has a wrapped data key (made at the first unlock in OS mode, or by init). */
  get exists(): boolean {
    return this.store.getMeta(WRAPPED_DATA_KEY) !== undefined
  }

  /**
   * Loads the data key. OS mode: from the keyring (creating the master and data keys for a new
   * store). Passphrase mode: only `unseal` loads it, so a sealed store answers `sealed`.
   */
  unlock(): Promise<void> {
    if (this.key) return Promise.resolve()
    if (this.currentMode === 'passphrase') return Promise.reject(sealedError())
    this.unlocking ??= this.loadFromKeyring().finally(() => {
      this.unlocking = undefined
    })
    return this.unlocking
  }

  private async loadFromKeyring(): Promise<void> {
    if (!this.exists) {
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
      this.key = dataKey
      return
    }
    this.key = await this.unwrap(this.osKeyring)
  }

  /** Keeps `dataKey` in memory as the data key (it is owned, and wiped, here from now on). */
  hold(dataKey: Uint8Array): void {
    this.drop()
    this.key = dataKey
  }

  /** Wipes the data key from memory. */
  drop(): void {
    if (this.key) this.sodium.memzero(this.key)
    this.key = undefined
  }

  /** The data key in memory (not a copy); a sealed store answers `sealed`. */
  current(): Uint8Array {
    if (!this.key) throw sealedError()
    return this.key
  }

  /** Runs a change of key after the ones asked before it. */
  serial<T>(action: () => Promise<T>): Promise<T> {
    return this.keyChanges.run('store', action)
  }

  private dataKeyAd(): string {
    return `hush/data-key/v1\u0000${this.store.storeId}`
  }

  /** Stores `dataKey` wrapped under `master` (a caller that writes more puts it in its transaction). */
  writeWrapping(master: Uint8Array, dataKey: Uint8Array): void {
    const wrapped = aeadEncrypt(this.sodium, master, dataKey, this.dataKeyAd())
    this.store.setMeta(WRAPPED_DATA_KEY, Buffer.concat([wrapped.nonce, wrapped.ciphertext]))
  }

  /**
   * Wraps `dataKey` under a new master key of `source` and commits the wrapping, the mode and the
   * audit event (none for the implicit first key of an OS keyring store) in one transaction.
   * `keep` sees the master key before it is wiped.
   */
  async wrap(
    source: MasterKeySource,
    dataKey: Uint8Array,
    event: 'store.initialized' | 'store.rewrapped' | 'store.passphrase_changed' | undefined,
    keep?: (master: Uint8Array) => void,
  ): Promise<void> {
    const master = await source.masterKey(true)
    try {
      keep?.(master)
      this.store.transaction(() => {
        this.writeWrapping(master, dataKey)
        this.store.setMeta(KEYRING_MODE, source.mode)
        this.store.deleteMeta(KDF_PARAMS)
        for (const [key, value] of Object.entries(source.meta())) this.store.setMeta(key, value)
        if (event) auditKeyEvent(this.store, event)
      })
    } finally {
      this.sodium.memzero(master)
    }
    this.currentMode = source.mode
    // The old wrapping (under the old passphrase or keyring entry) leaves the files before the answer.
    this.store.erase()
  }

  /**
   * Opens the stored data key with `source`'s master key; refuses a key that does not open it.
   * `keep` sees the master key (before it is wiped) once it has opened the data key.
   */
  async unwrap(source: MasterKeySource, keep?: (master: Uint8Array) => void): Promise<Uint8Array> {
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

  /** Encrypts one value of `secret` under the data key, bound to this store, the secret and `key`. */
  encrypt(secret: ValueOwner, key: string, plaintext: Uint8Array): CipherRow {
    return this.encryptWith(this.current(), secret, key, plaintext)
  }

  /** Decrypts one stored value, or reports the secret as corrupt. */
  decrypt(secret: ValueOwner, row: CipherRow): Uint8Array {
    return this.decryptWith(this.current(), secret, row)
  }

  /** `encrypt` with a data key other than the one in memory (a rotation's new key). */
  encryptWith(dataKey: Uint8Array, secret: ValueOwner, key: string, plaintext: Uint8Array): CipherRow {
    return {key, ...aeadEncrypt(this.sodium, dataKey, plaintext, valueAd(this.store.storeId, secret, key))}
  }

  /** `decrypt` with a data key other than the one in memory (a rotation's old key). */
  decryptWith(dataKey: Uint8Array, secret: ValueOwner, row: CipherRow): Uint8Array {
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
}
