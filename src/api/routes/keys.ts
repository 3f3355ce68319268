// Key changes: a new data key (every value re-encrypted), or a new passphrase wrapping the same key.
import * as v from 'valibot'
import type {KeyringMode} from './agent.js'
import {boxed, type InputOf, route} from './route.js'

const RotateKeyInput = v.strictObject({
  /** Passphrase mode: the current passphrase (boxed); the new data key is wrapped under it with a new salt. */
  passphrase: v.optional(boxed),
})
export type RotateKeyInput = InputOf<typeof RotateKeyInput>

export interface RotateKeyOutput {
  keyring: KeyringMode
  secrets: number
  values: number
}

const ChangePassphraseInput = v.strictObject({
  passphrase: boxed,
  newPassphrase: boxed,
})
export type ChangePassphraseInput = InputOf<typeof ChangePassphraseInput>

export interface ChangePassphraseOutput {
  /** The store stays sealed or unsealed as it was. */
  sealed: boolean
}

export const keyRoutes = {
  /** A new data key, every value re-encrypted in one transaction. */
  rotateKey: route<RotateKeyInput, RotateKeyOutput>('POST', '/v1/init/rotate-key', RotateKeyInput, {
    whileSealed: true,
  }),
  changePassphrase: route<ChangePassphraseInput, ChangePassphraseOutput>(
    'POST',
    '/v1/init/change-passphrase',
    ChangePassphraseInput,
    {whileSealed: true},
  ),
} as const
