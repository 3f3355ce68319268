// `hush init --change-passphrase` and `hush init --rotate-key` on the CLI side: which passphrases
// to read (terminal, descriptors, standard input) and how to say what changed.
import type {ChangePassphraseOutput, RotateKeyOutput} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {HushClient} from '../client/hush-client.js'
import type {IOStreams} from './io.js'
import {readPassphrase} from './passphrase.js'

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
  hush: HushClient,
  flags: KeyChangeFlags,
  io: IOStreams,
): Promise<ChangePassphraseOutput & {message: string}> {
  if ((await hush.connection()).hello.keyring !== 'passphrase') throw notPassphraseMode()
  if (!io.isTTY.stdin && flags.passphraseFd === undefined && flags.newPassphraseFd === undefined) {
    throw new HushError(
      'bad_request',
      'Without a terminal, changing the passphrase reads two: give the current one with --passphrase-fd N (the new one then comes from standard input, or --new-passphrase-fd M).',
    )
  }
  const current = await readPassphrase({confirm: false, fd: flags.passphraseFd, label: 'current passphrase', io})
  let next: Uint8Array
  try {
    next = await readPassphrase({confirm: true, fd: flags.newPassphraseFd, label: 'passphrase', io})
  } catch (error) {
    current.fill(0)
    throw error
  }
  const result = await hush.changePassphrase(current, next).finally(() => {
    current.fill(0)
    next.fill(0)
  })
  return {
    ...result,
    message:
      'Changed the passphrase: the old one no longer opens this store, the new one does (every secret kept). Backups keep their own backup passphrase.',
  }
}

/** A new data key for every value; a passphrase store asks its passphrase first. */
export async function rotateKey(
  hush: HushClient,
  flags: KeyChangeFlags,
  io: IOStreams,
): Promise<RotateKeyOutput & {message: string}> {
  let result: RotateKeyOutput
  if ((await hush.connection()).hello.keyring === 'passphrase') {
    const passphrase = await readPassphrase({confirm: false, fd: flags.passphraseFd, io})
    result = await hush.rotateKey(passphrase).finally(() => passphrase.fill(0))
  } else {
    result = await hush.rotateKey()
  }
  return {
    ...result,
    message: `Rotated the data key: ${result.values} values of ${result.secrets} secrets re-encrypted in one transaction, the old key wiped. ${result.keyring === 'os' ? 'The OS keyring entry that wraps it is unchanged.' : 'Your passphrase is unchanged.'}`,
  }
}
