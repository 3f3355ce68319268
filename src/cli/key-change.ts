// `hush init --change-passphrase` and `hush init --rotate-key` on the CLI side: which passphrases
// to read (terminal, descriptors, standard input) and how to say what changed.
import {type ChangePassphraseOutput, type RotateKeyOutput, routes} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {Connection} from '../client/connect.js'
import {readPassphrase, withSealedPassphrase, withSealedPassphrases} from './passphrase.js'

export interface KeyChangeFlags {
  passphraseFd?: number
  newPassphraseFd?: number
}

function notPassphraseMode(): HushError {
  return new HushError(
    'wrong_keyring_mode',
    'This store keeps its master key in the OS keyring, so it has no passphrase to change: `hush init --keyring passphrase` switches it to passphrase mode.',
  )
}

/** Reads the current and the new passphrase (at most one of them from standard input) and re-wraps the data key. */
export async function changePassphrase(
  connection: Connection,
  flags: KeyChangeFlags,
): Promise<ChangePassphraseOutput & {message: string}> {
  if (connection.hello.keyring !== 'passphrase') throw notPassphraseMode()
  if (!process.stdin.isTTY && flags.passphraseFd === undefined && flags.newPassphraseFd === undefined) {
    throw new HushError(
      'bad_request',
      'Without a terminal, changing the passphrase reads two: give the current one with --passphrase-fd N (the new one then comes from standard input, or --new-passphrase-fd M).',
    )
  }
  const current = await readPassphrase({confirm: false, fd: flags.passphraseFd, label: 'current passphrase'})
  let next: Uint8Array
  try {
    next = await readPassphrase({confirm: true, fd: flags.newPassphraseFd, label: 'passphrase'})
  } catch (error) {
    current.fill(0)
    throw error
  }
  const result = await withSealedPassphrases(connection, [current, next], ([passphrase, newPassphrase]) =>
    connection.client.call(routes.changePassphrase, {passphrase, newPassphrase}, {wait: true}),
  )
  return {
    ...result,
    message:
      'Changed the passphrase: the old one no longer opens this store, the new one does (every secret kept). Backups keep their own backup passphrase.',
  }
}

/** A new data key for every value; a passphrase store asks its passphrase first. */
export async function rotateKey(
  connection: Connection,
  flags: KeyChangeFlags,
): Promise<RotateKeyOutput & {message: string}> {
  let result: RotateKeyOutput
  if (connection.hello.keyring === 'passphrase') {
    const passphrase = await readPassphrase({confirm: false, fd: flags.passphraseFd})
    result = await withSealedPassphrase(connection, passphrase, (sealed) =>
      connection.client.call(routes.rotateKey, {passphrase: sealed}, {wait: true}),
    )
  } else {
    result = await connection.client.call(routes.rotateKey, {}, {wait: true})
  }
  return {
    ...result,
    message: `Rotated the data key: ${result.values} values of ${result.secrets} secrets re-encrypted in one transaction, the old key wiped. ${result.keyring === 'os' ? 'The OS keyring entry that wraps it is unchanged.' : 'Your passphrase is unchanged.'}`,
  }
}
