// Reading a passphrase on the CLI side (hidden prompt on a terminal, else standard input) and
// sending it to the agent sealed to its public key, so no request body ever holds it in plaintext.
import {routes, type SealedValue} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {Connection} from '../client/connect.js'
import {loadSodium} from '../crypto/sodium.js'
import {sealValue} from '../crypto/transport.js'

const encoder = new TextEncoder()

async function prompt(text: string): Promise<Uint8Array> {
  const {read} = await import('read')
  // `read` hands back a JS string: it cannot be wiped (see README, memory hygiene).
  const answer = String(await read({prompt: text, silent: true, replace: '', output: process.stderr}))
  process.stderr.write('\n')
  return encoder.encode(answer)
}

/**
 * Reads a passphrase: without echo on a terminal (twice when `confirm`), else all of standard
 * input less one trailing newline. The caller wipes the bytes after use.
 */
export async function readPassphrase(options: {confirm: boolean}): Promise<Uint8Array> {
  if (process.stdin.isTTY) {
    const first = await prompt(options.confirm ? 'New passphrase (hidden): ' : 'Passphrase (hidden): ')
    if (!options.confirm) return first
    const second = await prompt('Repeat the passphrase: ')
    const same = first.length === second.length && first.every((byte, index) => byte === second[index])
    second.fill(0)
    if (!same) {
      first.fill(0)
      throw new HushError('bad_request', 'The two passphrases differ: run the command again.')
    }
    return first
  }
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  const all = Buffer.concat(chunks)
  for (const chunk of chunks) chunk.fill(0)
  let end = all.length
  if (all[end - 1] === 0x0a) end -= all[end - 2] === 0x0d ? 2 : 1
  const bytes = new Uint8Array(all.subarray(0, end))
  all.fill(0)
  if (bytes.length === 0) {
    throw new HushError(
      'bad_request',
      'No passphrase: type it at the prompt on a terminal, or give it on standard input (e.g. `hush unseal < file`).',
    )
  }
  return bytes
}

/**
 * Seals `passphrase` to the agent's public key and calls `send`; retries once with a fresh
 * public key when the agent restarted in between. Wipes the passphrase in every case.
 */
export async function withSealedPassphrase<T>(
  connection: Connection,
  passphrase: Uint8Array,
  send: (sealed: SealedValue) => Promise<T>,
): Promise<T> {
  const sodium = await loadSodium()
  try {
    try {
      return await send(sealValue(sodium, connection.hello.publicKey, passphrase))
    } catch (error) {
      if (!(error instanceof HushError && error.code === 'unopenable_value')) throw error
      connection.hello = await connection.client.call(routes.hello, {})
      return await send(sealValue(sodium, connection.hello.publicKey, passphrase))
    }
  } finally {
    sodium.memzero(passphrase)
  }
}
