// What may travel through the docker client's own environment (values docker's env-file cannot
// carry, `-e KEY`): never a key that reconfigures the client itself, and never more than the
// kernel lets a process receive (execve's E2BIG), both checked before anything runs.
import {HushError} from '../../api/errors.js'

/**
 * Keys the docker CLI, the Go runtime under it or the dynamic loader read from their own
 * environment: a value under one of these names would change how docker runs, or where it connects.
 */
const CLIENT_KEYS: readonly RegExp[] = [
  /^PATH$/,
  /^HOME$/,
  /^USER$/,
  /^TMPDIR$/,
  /^SHELL$/,
  /^LD_/,
  /^DOCKER_/,
  /^BUILDKIT_/,
  /^BUILDX_/,
  /^NOTARY_/,
  /^XDG_/,
  /^(HTTP|HTTPS|NO|ALL|FTP)_PROXY$/i,
  /^SSL_CERT_(FILE|DIR)$/,
  /^GO[A-Z0-9_]*$/,
  /^LANG$/,
  /^LC_/,
  /^TZ$/,
]

/** Linux's limit on one `KEY=VALUE` string of a process environment (MAX_ARG_STRLEN), NUL included. */
export const MAX_ENV_STRING = 32 * 4096
/** The room left for the whole environment and argument list; Linux allows a quarter of the stack (2 MiB by default). */
export const MAX_ENV_TOTAL = 1536 * 1024

/** True for a key that would change the docker client's own behaviour. */
export function isClientKey(key: string): boolean {
  return CLIENT_KEYS.some((pattern) => pattern.test(key))
}

/** Bytes a `KEY=VALUE` string takes in a process's environment block. */
function envBytes(key: string, valueBytes: number): number {
  return Buffer.byteLength(key) + 1 + valueBytes + 1
}

/**
 * Checks the values that will travel through the docker client's environment: a key the client
 * reads itself, or a size the kernel would refuse, is one line naming the key.
 */
export function checkClientEnv(
  entries: {key: string; bytes: number}[],
  inherited: NodeJS.ProcessEnv = process.env,
): void {
  let total = 0
  for (const [key, value] of Object.entries(inherited)) {
    if (value !== undefined) total += envBytes(key, Buffer.byteLength(value))
  }
  for (const entry of entries) {
    if (isClientKey(entry.key)) {
      throw new HushError(
        'invalid_key',
        `The value of ${entry.key} holds a line break or is too long for docker's env-file, so it would travel through the docker client's own environment, where ${entry.key} changes how docker itself runs: use another key. Nothing was launched.`,
      )
    }
    const size = envBytes(entry.key, entry.bytes)
    if (size > MAX_ENV_STRING) {
      throw new HushError(
        'invalid_value',
        `The value of ${entry.key} is ${entry.bytes} bytes once rendered: a process environment entry holds at most ${MAX_ENV_STRING - 2 - entry.key.length} bytes, and it must pass through the docker client's: split it over several keys. Nothing was launched.`,
      )
    }
    total += size
  }
  if (total > MAX_ENV_TOTAL) {
    throw new HushError(
      'invalid_value',
      `The values that must pass through the docker client's environment add up to ${total} bytes with its own, over the ${MAX_ENV_TOTAL} a process can receive: use fewer multi-line or long values. Nothing was launched.`,
    )
  }
}
