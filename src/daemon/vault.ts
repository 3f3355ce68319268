// The one place where a secret value is encrypted or decrypted at rest. A random data key,
// wrapped by the master key, encrypts each value with XChaCha20-Poly1305; the associated data
// binds the ciphertext to its store, secret, key and version.
import {randomBytes} from 'node:crypto'
import type {KeyringMode} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {aeadDecrypt, aeadEncrypt} from '../crypto/aead.js'
import {readMasterKey, writeMasterKey} from '../crypto/os-keyring.js'
import type {Sodium} from '../crypto/sodium.js'
import type {CipherRow, SecretRow, Store} from './store.js'

const WRAPPED_DATA_KEY = 'data_key'

/** Where the master key comes from. */
export interface MasterKeySource {
  readonly mode: KeyringMode
  /** Returns the master key; with `create`, makes and keeps a new one (a new store). */
  masterKey(create: boolean): Promise<Uint8Array>
}

/** The OS keyring holds the master key: service `hush`, account = the store id. */
export class OsKeyringSource implements MasterKeySource {
  readonly mode = 'os' as const

  constructor(readonly account: string) {}

  async masterKey(create: boolean): Promise<Uint8Array> {
    if (create) {
      const key = new Uint8Array(randomBytes(32))
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
}

function valueAd(storeId: string, secret: Pick<SecretRow, 'id' | 'name' | 'version'>, key: string): string {
  return `hush/value/v1\u0000${storeId}\u0000${secret.id}\u0000${secret.name}\u0000${key}\u0000${secret.version}`
}

export class Vault {
  private dataKey: Uint8Array | undefined
  private unlocking: Promise<void> | undefined

  constructor(
    private readonly sodium: Sodium,
    private readonly store: Store,
    private source: MasterKeySource,
  ) {}

  get mode(): KeyringMode {
    return this.source.mode
  }

  get unlocked(): boolean {
    return this.dataKey !== undefined
  }

  /** Loads the data key (creating the master and data keys for a new store). */
  unlock(): Promise<void> {
    if (this.dataKey) return Promise.resolve()
    this.unlocking ??= this.loadDataKey().finally(() => {
      this.unlocking = undefined
    })
    return this.unlocking
  }

  /** Drops the data key from memory. */
  lock(): void {
    if (this.dataKey) this.sodium.memzero(this.dataKey)
    this.dataKey = undefined
  }

  private async loadDataKey(): Promise<void> {
    const ad = `hush/data-key/v1\u0000${this.store.storeId}`
    const wrapped = this.store.getMeta(WRAPPED_DATA_KEY)
    if (wrapped === undefined) {
      const master = await this.source.masterKey(true)
      const dataKey = new Uint8Array(randomBytes(32))
      const sealed = aeadEncrypt(this.sodium, master, dataKey, ad)
      this.sodium.memzero(master)
      this.store.setMeta(WRAPPED_DATA_KEY, Buffer.concat([sealed.nonce, sealed.ciphertext]))
      this.dataKey = dataKey
      return
    }
    const master = await this.source.masterKey(false)
    const bytes = Buffer.isBuffer(wrapped) ? wrapped : Buffer.from(wrapped)
    const nonceBytes = this.sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
    const dataKey = aeadDecrypt(
      this.sodium,
      master,
      {nonce: bytes.subarray(0, nonceBytes), ciphertext: bytes.subarray(nonceBytes)},
      ad,
    )
    this.sodium.memzero(master)
    if (!dataKey) {
      throw new HushError(
        'master_key_missing',
        'The master key does not open this store (wrong keyring entry or passphrase, or a damaged store).',
      )
    }
    this.dataKey = dataKey
  }

  private key(): Uint8Array {
    if (!this.dataKey) throw new HushError('sealed', 'The store is sealed: run `hush unseal` first.')
    return this.dataKey
  }

  encrypt(
    storeId: string,
    secret: Pick<SecretRow, 'id' | 'name' | 'version'>,
    key: string,
    plaintext: Uint8Array,
  ): CipherRow {
    const sealed = aeadEncrypt(this.sodium, this.key(), plaintext, valueAd(storeId, secret, key))
    return {key, ...sealed}
  }

  /** Decrypts one stored value, or reports the secret as corrupt. */
  decrypt(storeId: string, secret: Pick<SecretRow, 'id' | 'name' | 'version'>, row: CipherRow): Uint8Array {
    const plaintext = aeadDecrypt(this.sodium, this.key(), row, valueAd(storeId, secret, row.key))
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
