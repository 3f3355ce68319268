// The one place where a secret value is encrypted or decrypted at rest. A random data key,
// wrapped by the master key, encrypts each value with XChaCha20-Poly1305; the associated data
// binds the ciphertext to its store, secret, key and version.
import {randomBytes} from 'node:crypto'
import type {
  AuditEventType,
  ChangePassphraseOutput,
  InitOutput,
  KeyringMode,
  RotateKeyOutput,
  SealState,
} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {aeadDecrypt, aeadEncrypt} from '../crypto/aead.js'
import {deleteMasterKey, readMasterKey, writeMasterKey} from '../crypto/os-keyring.js'
import {checkPassphrase, deriveMasterKey, type KdfParams, newKdfParams, parseKdfParams} from '../crypto/passphrase.js'
import type {Sodium} from '../crypto/sodium.js'
import type {CipherRow, SecretRow, Store} from './store.js'

const WRAPPED_DATA_KEY = 'data_key'
/** Store meta: which master key wraps the data key (`os` when absent, for stores made before init). */
const KEYRING_MODE = 'keyring'
/** Store meta in passphrase mode: the Argon2id salt and parameters (JSON). */
const KDF_PARAMS = 'kdf'

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

/** 32 random bytes in a buffer of their own (a Buffer from randomBytes may sit in Node's shared pool). */
function freshKey(): Uint8Array {
  const raw = randomBytes(32)
  const key = new Uint8Array(raw)
  raw.fill(0)
  return key
}

function valueAd(storeId: string, secret: Pick<SecretRow, 'id' | 'name' | 'version'>, key: string): string {
  return `hush/value/v1\u0000${storeId}\u0000${secret.id}\u0000${secret.name}\u0000${key}\u0000${secret.version}`
}

/** Re-encrypts one ciphertext bound to `owner` from the old data key to the new (during a rotation). */
export type Reencrypt = (owner: Pick<SecretRow, 'id' | 'name' | 'version'>, row: CipherRow) => CipherRow

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
  /** init, unseal and seal run one at a time. */
  private exclusive: Promise<unknown> = Promise.resolve()
  private currentMode: KeyringMode
  /** Others holding ciphertexts under the data key: a rotation re-encrypts theirs too. */
  private readonly holders: CiphertextHolder[] = []

  constructor(
    private readonly sodium: Sodium,
    private readonly store: Store,
    private readonly osKeyring: MasterKeySource = new OsKeyringSource(store.storeId),
  ) {
    this.currentMode = store.getMeta(KEYRING_MODE) === 'passphrase' ? 'passphrase' : 'os'
  }

  get mode(): KeyringMode {
    return this.currentMode
  }

  get unlocked(): boolean {
    return this.dataKey !== undefined
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
    if (this.dataKey) this.sodium.memzero(this.dataKey)
    this.dataKey = undefined
  }

  /** Passphrase mode: derives the master key and opens the data key; a wrong passphrase is refused. */
  unseal(passphrase: Uint8Array): Promise<SealState> {
    return this.serial(async () => {
      this.requirePassphraseMode('unseal')
      const params = parseKdfParams(String(this.store.getMeta(KDF_PARAMS) ?? ''))
      const dataKey = await this.unwrap(new PassphraseSource(this.sodium, passphrase, params))
      if (this.dataKey) {
        this.sodium.memzero(dataKey)
        return {sealed: false, changed: false}
      }
      this.dataKey = dataKey
      this.audit('store.unsealed')
      return {sealed: false, changed: true}
    })
  }

  /** Passphrase mode: wipes the data key at once; secret routes answer `sealed` until `unseal`. */
  seal(): Promise<SealState> {
    return this.serial(async () => {
      this.requirePassphraseMode('seal')
      if (!this.dataKey) return {sealed: true, changed: false}
      this.lock()
      this.audit('store.sealed')
      return {sealed: true, changed: true}
    })
  }

  /**
   * Chooses how the master key is kept. A new store gets a new data key; a store in the other
   * mode keeps its data key, which is re-wrapped under the new master key (it must be unsealed).
   * `passphrase` is the new passphrase for passphrase mode (owned and wiped by the caller).
   */
  init(mode: KeyringMode, passphrase: Uint8Array | undefined): Promise<InitOutput> {
    return this.serial(async () => {
      const target = this.source(mode, passphrase)
      if (this.store.getMeta(WRAPPED_DATA_KEY) === undefined) {
        const dataKey = freshKey()
        try {
          await this.wrap(target, dataKey, 'store.initialized')
        } catch (error) {
          this.sodium.memzero(dataKey)
          throw error
        }
        this.lock()
        this.dataKey = dataKey
        return {keyring: mode, action: 'created', sealed: false}
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
      await this.wrap(target, this.key(), 'store.rewrapped')
      await previous?.forget().catch(() => undefined)
      return {keyring: mode, action: 'rewrapped', sealed: false}
    })
  }

  private source(mode: KeyringMode, passphrase: Uint8Array | undefined): MasterKeySource {
    if (mode === 'os') return this.osKeyring
    if (!passphrase) throw new HushError('bad_request', 'Passphrase mode needs a passphrase.')
    checkPassphrase(passphrase)
    return new PassphraseSource(this.sodium, passphrase, newKdfParams(this.sodium))
  }

  private serial<T>(action: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(action, action)
    this.exclusive = run.catch(() => undefined)
    return run
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
  ): Promise<void> {
    const master = await source.masterKey(true)
    const sealed = aeadEncrypt(this.sodium, master, dataKey, this.dataKeyAd())
    this.sodium.memzero(master)
    this.store.transaction(() => {
      this.store.setMeta(WRAPPED_DATA_KEY, Buffer.concat([sealed.nonce, sealed.ciphertext]))
      this.store.setMeta(KEYRING_MODE, source.mode)
      this.store.deleteMeta(KDF_PARAMS)
      for (const [key, value] of Object.entries(source.meta())) this.store.setMeta(key, value)
      if (event) this.audit(event)
    })
    this.currentMode = source.mode
  }

  /** Opens the stored data key with `source`'s master key; refuses a key that does not open it. */
  private async unwrap(source: MasterKeySource): Promise<Uint8Array> {
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
      await this.wrap(this.osKeyring, dataKey, undefined)
      this.dataKey = dataKey
      return
    }
    this.dataKey = await this.unwrap(this.osKeyring)
  }

  private key(): Uint8Array {
    if (!this.dataKey) throw sealedError()
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
    return this.decryptWith(this.key(), storeId, secret, row)
  }

  private decryptWith(
    dataKey: Uint8Array,
    storeId: string,
    secret: Pick<SecretRow, 'id' | 'name' | 'version'>,
    row: CipherRow,
  ): Uint8Array {
    const plaintext = aeadDecrypt(this.sodium, dataKey, row, valueAd(storeId, secret, row.key))
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
      try {
        await this.wrap(
          new PassphraseSource(this.sodium, next, newKdfParams(this.sodium)),
          dataKey,
          'store.passphrase_changed',
        )
      } finally {
        this.sodium.memzero(dataKey)
      }
      return {sealed: this.sealed}
    })
  }

  /**
   * A new random data key: every stored value is decrypted with the old one and encrypted with the
   * new one, and the new key's wrapping replaces the old, all in ONE transaction (kill -9 at any
   * moment leaves either the old key and old ciphertexts or the new key and new ciphertexts). The
   * master key stays where it is: the same OS keyring entry, or in passphrase mode the same
   * passphrase with a new salt (`passphrase`, owned by the caller, proves it first).
   */
  rotateDataKey(passphrase: Uint8Array | undefined): Promise<RotateKeyOutput> {
    return this.serial(async () => {
      let oldKey: Uint8Array
      let master: Uint8Array
      let kdf: KdfParams | undefined
      if (this.currentMode === 'passphrase') {
        if (!passphrase)
          throw new HushError('bad_request', 'Rotating the key of a passphrase store needs its passphrase.')
        oldKey = await this.unwrapWithCurrentPassphrase(passphrase)
        kdf = newKdfParams(this.sodium)
        master = deriveMasterKey(this.sodium, passphrase, kdf)
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
          if (kdf) this.store.setMeta(KDF_PARAMS, JSON.stringify(kdf))
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
        // The old wrapping's page leaves the write-ahead log too (secure_delete clears freed pages).
        this.store.db.pragma('wal_checkpoint(TRUNCATE)')
        return {keyring: this.currentMode, ...counts}
      } catch (error) {
        this.sodium.memzero(newKey)
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
      const plain = this.decryptWith(oldKey, storeId, owner, row)
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
