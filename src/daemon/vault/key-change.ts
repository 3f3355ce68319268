// Changing a store's keys without losing a value (backup and recovery): a new passphrase, under
// which the same data key is wrapped again, and a new data key, under which every value and every
// copy a holder keeps (the deployments') is encrypted again, each in one transaction.
import type {ChangePassphraseOutput, RotateKeyOutput} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {checkPassphrase, deriveMasterKey, newKdfParams} from '../../crypto/passphrase.js'
import type {Sodium} from '../../crypto/sodium.js'
import type {CipherRow, Store} from '../store/secrets-table.js'
import {auditKeyEvent, type DataKey, type ValueOwner} from './data-key.js'
import type {KeyLifecycle} from './key-lifecycle.js'
import {freshKey, PassphraseSource, storedKdfParams} from './key-sources.js'

/** Re-encrypts one ciphertext bound to `owner` from the old data key to the new (during a rotation). */
export type Reencrypt = (owner: ValueOwner, row: CipherRow) => CipherRow

/** Ciphertexts under the data key kept outside `secret_values` (deployments' copies of their values). */
export interface CiphertextHolder {
  /** Called inside the rotation's transaction: rewrite every ciphertext it holds with `reencrypt`. */
  reencryptCopies(reencrypt: Reencrypt): void
}

export class KeyChange {
  /** Others holding ciphertexts under the data key: a rotation re-encrypts theirs too. */
  private readonly holders: CiphertextHolder[] = []

  constructor(
    private readonly sodium: Sodium,
    private readonly store: Store,
    private readonly dataKey: DataKey,
    private readonly lifecycle: KeyLifecycle,
  ) {}

  /**
   * Passphrase mode: re-wraps the data key under `next` (with a new salt) once `current` proves it
   * opens the store; one transaction, so the store opens with exactly one of the two passphrases.
   * A sealed store stays sealed. Both passphrases stay owned (and wiped) by the caller.
   */
  changePassphrase(current: Uint8Array, next: Uint8Array): Promise<ChangePassphraseOutput> {
    return this.dataKey.serial(async () => {
      this.requirePassphraseStore()
      checkPassphrase(next)
      const dataKey = await this.unwrapWithCurrentPassphrase(current)
      let master: Uint8Array | undefined
      try {
        await this.dataKey.wrap(
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
        await this.lifecycle.replaceCachedKey(master)
      } finally {
        if (master) this.sodium.memzero(master)
      }
      return {sealed: this.dataKey.sealed}
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
    return this.dataKey.serial(async () => {
      let oldKey: Uint8Array
      let master: Uint8Array
      if (this.dataKey.mode === 'passphrase') {
        if (!passphrase)
          throw new HushError('bad_request', 'Rotating the key of a passphrase store needs its passphrase.')
        oldKey = await this.unwrapWithCurrentPassphrase(passphrase)
        // The same salt: the master key stays what it was (and what the unlock cache may hold).
        master = deriveMasterKey(this.sodium, passphrase, storedKdfParams(this.store))
      } else {
        if (passphrase) throw new HushError('bad_request', 'An OS keyring store takes no passphrase to rotate its key.')
        await this.dataKey.unlock()
        oldKey = Uint8Array.from(this.dataKey.current())
        master = await this.dataKey.osKeyring.masterKey(false)
      }
      const newKey = freshKey()
      let live = false
      try {
        const counts = this.store.transaction(() => {
          const counts = this.reencryptAll(oldKey, newKey)
          this.dataKey.writeWrapping(master, newKey)
          auditKeyEvent(this.store, 'store.key_rotated', counts)
          return counts
        })
        // Same synchronous turn as the commit: no write can run between the two keys.
        if (this.dataKey.held) {
          // The old key is wiped as the new one is held; the unlock cache's expiry stays as it was
          // (the master key, and so the cached entry, did not change).
          this.dataKey.hold(newKey)
          live = true
        } else {
          this.sodium.memzero(newKey)
        }
        // The old wrapping and the old ciphertexts leave the files too (store/connection.ts, erase).
        this.store.erase()
        return {keyring: this.dataKey.mode, ...counts}
      } catch (error) {
        // (Once committed, newKey is the live key: only erase() can throw then, and the key stays.)
        if (!live) this.sodium.memzero(newKey)
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
    const reencrypt: Reencrypt = (owner, row) => {
      const plain = this.dataKey.decryptWith(oldKey, owner, row)
      const encrypted = this.dataKey.encryptWith(newKey, owner, row.key, plain)
      this.sodium.memzero(plain)
      return encrypted
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
    if (this.dataKey.mode !== 'passphrase') {
      throw new HushError(
        'wrong_keyring_mode',
        'This store keeps its master key in the OS keyring, so it has no passphrase to change: `hush init --keyring passphrase` switches it to passphrase mode.',
      )
    }
  }

  /** The data key (a copy the caller wipes), opened with the current passphrase; a wrong one changes nothing. */
  private async unwrapWithCurrentPassphrase(passphrase: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.dataKey.unwrap(new PassphraseSource(this.sodium, passphrase, storedKdfParams(this.store)))
    } catch (error) {
      if (error instanceof HushError && error.code === 'wrong_passphrase') {
        throw new HushError('wrong_passphrase', 'Wrong current passphrase: nothing changed.')
      }
      throw error
    }
  }
}
