// Telling a failed socket to the agent from a bug: the first is `daemon_unreachable` (try again),
// the second stays `internal`. One rule for the CLI and the SDK; no undici here (the CLI loads it late).
import {HushError} from '../api/errors.js'

/** Error codes of a socket that failed (refused, gone, cut), from node and from undici. */
const SOCKET_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ENOTSOCK',
  'EPIPE',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

/** True for a failure of the socket to the agent (the error or its cause), as opposed to a bug. */
export function isSocketFailure(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; depth++) {
    if (SOCKET_FAILURES.has(String((cause as NodeJS.ErrnoException).code))) return true
    cause = cause.cause
  }
  return false
}

/**
 * Any failure as a HushError: a socket that failed means the agent went away (`daemon_unreachable`);
 * anything else is a bug and stays one (`internal`, its first line; HUSH_DEBUG shows the stack).
 */
export function asHushError(error: unknown): HushError {
  if (error instanceof HushError) return error
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
  if (isSocketFailure(error)) {
    return new HushError('daemon_unreachable', `Lost the connection to the hush agent (${reason}): try again.`)
  }
  return new HushError('internal', `Unexpected error: ${reason}`)
}
