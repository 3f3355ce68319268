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
 * Reads a passphrase: from descriptor `fd` when given (scripts and provisioning tools), else
 * without echo on a terminal (twice when `confirm`), else all of standard input; one trailing
 * newline dropped. Never from an environment variable or an argument. The caller wipes the bytes.
 */
export async function readPassphrase(options: {confirm: boolean; fd?: number; label?: string}): Promise<Uint8Array> {
  const label = options.label ?? 'passphrase'
  if (options.fd !== undefined) return readAllFrom(await openDescriptor(options.fd), `--passphrase-fd ${options.fd}`)
  if (process.stdin.isTTY) {
    const capital = label[0].toUpperCase() + label.slice(1)
    const first = await prompt(options.confirm ? `New ${label} (hidden): ` : `${capital} (hidden): `)
    if (!options.confirm) return nonEmpty(first, 'the prompt')
    const second = await prompt(`Repeat the ${label}: `)
    const same = first.length === second.length && first.every((byte, index) => byte === second[index])
    second.fill(0)
    if (!same) {
      first.fill(0)
      throw new HushError('bad_request', `The two ${label}s differ: run the command again.`)
    }
    return nonEmpty(first, 'the prompt')
  }
  return readAllFrom(process.stdin, 'standard input')
}

/** A readable stream over descriptor `fd`, or a one-line error when it is not open for reading. */
async function openDescriptor(fd: number): Promise<NodeJS.ReadableStream> {
  const {fstatSync, createReadStream} = await import('node:fs')
  if (!Number.isInteger(fd) || fd < 0)
    throw new HushError('bad_request', `--passphrase-fd takes a descriptor number, not ${fd}.`)
  try {
    fstatSync(fd)
  } catch {
    throw new HushError(
      'bad_request',
      `--passphrase-fd ${fd}: descriptor ${fd} is not open; open it in the shell (e.g. \`3< file\`).`,
    )
  }
  return createReadStream('', {fd, autoClose: true})
}

/** All of `stream`, less one trailing newline (LF or CRLF); the chunks are wiped. */
async function readAllFrom(stream: NodeJS.ReadableStream, where: string): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer)
  } catch (error) {
    for (const chunk of chunks) chunk.fill(0)
    throw new HushError(
      'bad_request',
      `Could not read the passphrase from ${where} (${(error as NodeJS.ErrnoException).code ?? 'read error'}).`,
    )
  }
  const all = Buffer.concat(chunks)
  for (const chunk of chunks) chunk.fill(0)
  let end = all.length
  if (all[end - 1] === 0x0a) end -= all[end - 2] === 0x0d ? 2 : 1
  const bytes = new Uint8Array(all.subarray(0, end))
  all.fill(0)
  return nonEmpty(bytes, where)
}

function nonEmpty(bytes: Uint8Array, where: string): Uint8Array {
  if (bytes.length > 0) return bytes
  throw new HushError(
    'bad_request',
    `No passphrase on ${where}: type it at the prompt on a terminal, or give it on standard input (e.g. \`hush unseal < file\`) or with --passphrase-fd.`,
  )
}

/**
 * Seals `passphrase` to the agent's public key and calls `send`; retries once with a fresh
 * public key when the agent restarted in between. Wipes the passphrase in every case.
 */
export function withSealedPassphrase<T>(
  connection: Connection,
  passphrase: Uint8Array,
  send: (sealed: SealedValue) => Promise<T>,
): Promise<T> {
  return withSealedPassphrases(connection, [passphrase], ([sealed]) => send(sealed))
}

/** The same for several passphrases sent in one request (current and new): all sealed to the same key, all wiped. */
export async function withSealedPassphrases<T>(
  connection: Connection,
  passphrases: Uint8Array[],
  send: (sealed: SealedValue[]) => Promise<T>,
): Promise<T> {
  const sodium = await loadSodium()
  const sealAll = () => passphrases.map((passphrase) => sealValue(sodium, connection.hello.publicKey, passphrase))
  try {
    try {
      return await send(sealAll())
    } catch (error) {
      if (!(error instanceof HushError && error.code === 'unopenable_value')) throw error
      connection.hello = await connection.client.call(routes.hello, {})
      return await send(sealAll())
    }
  } finally {
    for (const passphrase of passphrases) sodium.memzero(passphrase)
  }
}
