// Reading a passphrase on the CLI side: hidden prompt on a terminal, a descriptor, else standard
// input. HushClient then boxes it to the agent's public key, so no request body holds it in plaintext.
import {HushError} from '../api/errors.js'
import {type IOStreams, promptHidden, readAll, systemIO} from './io.js'

async function prompt(io: IOStreams, text: string): Promise<Uint8Array> {
  const answer = await promptHidden(io, text)
  io.stderr.write('\n')
  return answer
}

/**
 * Reads a passphrase: from descriptor `fd` when given (scripts and provisioning tools), else
 * without echo on a terminal (twice when `confirm`), else all of standard input; one trailing
 * newline dropped. Never from an environment variable or an argument. The caller wipes the bytes.
 */
export async function readPassphrase(options: {
  confirm: boolean
  fd?: number
  label?: string
  io?: IOStreams
}): Promise<Uint8Array> {
  const label = options.label ?? 'passphrase'
  const io = options.io ?? systemIO()
  if (options.fd !== undefined) return readAllFrom(await openDescriptor(options.fd), `--passphrase-fd ${options.fd}`)
  if (io.isTTY.stdin) {
    const capital = label[0].toUpperCase() + label.slice(1)
    const first = await prompt(io, options.confirm ? `New ${label} (hidden): ` : `${capital} (hidden): `)
    if (!options.confirm) return nonEmpty(first, 'the prompt')
    const second = await prompt(io, `Repeat the ${label}: `)
    const same = first.length === second.length && first.every((byte, index) => byte === second[index])
    second.fill(0)
    if (!same) {
      first.fill(0)
      throw new HushError('bad_request', `The two ${label}s differ: run the command again.`)
    }
    return nonEmpty(first, 'the prompt')
  }
  return readAllFrom(io.stdin, 'standard input')
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

/** All of `stream` (one trailing newline dropped), not empty. */
async function readAllFrom(stream: NodeJS.ReadableStream, where: string): Promise<Uint8Array> {
  return nonEmpty(await readAll(stream, `the passphrase from ${where}`), where)
}

function nonEmpty(bytes: Uint8Array, where: string): Uint8Array {
  if (bytes.length > 0) return bytes
  throw new HushError(
    'bad_request',
    `No passphrase on ${where}: type it at the prompt on a terminal, or give it on standard input (e.g. \`hush unseal < file\`) or with --passphrase-fd.`,
  )
}
