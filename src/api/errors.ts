// The error codes of hush's API: each code has one HTTP status and one CLI exit code.
// Client and agent both import this table, so a code means the same thing at both ends.

export const errorCodes = {
  bad_request: {status: 400, exit: 2},
  invalid_name: {status: 400, exit: 2},
  invalid_key: {status: 400, exit: 2},
  invalid_value: {status: 400, exit: 2},
  duplicate_key: {status: 400, exit: 2},
  empty_bundle: {status: 400, exit: 2},
  unopenable_value: {status: 400, exit: 1},
  unknown_secret: {status: 400, exit: 1},
  not_found: {status: 404, exit: 1},
  secret_not_found: {status: 404, exit: 1},
  method_not_allowed: {status: 405, exit: 1},
  secret_in_use: {status: 409, exit: 1},
  payload_too_large: {status: 413, exit: 1},
  unsupported_media_type: {status: 415, exit: 1},
  store_corrupt: {status: 500, exit: 1},
  internal: {status: 500, exit: 1},
  keyring_unavailable: {status: 503, exit: 1},
  master_key_missing: {status: 503, exit: 1},
  sealed: {status: 503, exit: 1},
  wrong_passphrase: {status: 403, exit: 1},
  wrong_keyring_mode: {status: 409, exit: 1},
  daemon_unreachable: {status: 503, exit: 1},
  insecure_path: {status: 500, exit: 1},
  /** The user left an interactive prompt (the picker) without confirming: CLI only, never sent by the agent. */
  cancelled: {status: 400, exit: 1},
  /** No deployment has that id or name: a usage error, like a mistyped argument. */
  deployment_not_found: {status: 404, exit: 2},
  /** `--name` of a live deployment: names are unique among live deployments. */
  name_in_use: {status: 409, exit: 2},
  docker_unavailable: {status: 503, exit: 1},
  launch_failed: {status: 502, exit: 1},
  no_tmpfs: {status: 500, exit: 1},
  /** `--swarm` on an engine that is not a Swarm manager. */
  swarm_unavailable: {status: 503, exit: 1},
  /** A Swarm service's rolling update failed and docker rolled it back: the previous revision runs. */
  rolled_back: {status: 502, exit: 1},
  /** A backup file that fails its checks (not a backup, cut short, a changed byte). */
  backup_damaged: {status: 400, exit: 1},
  /** A backup file of a newer format than this hush reads. */
  backup_unsupported: {status: 400, exit: 1},
  /** `restore --into-empty` into a store that has live secrets. */
  store_not_empty: {status: 409, exit: 1},
  /** `restore --merge --on-conflict fail` with secrets of the same name in both. */
  restore_conflict: {status: 409, exit: 1},
  /** The disk holding the store (or the env-file tmpfs) is full: nothing was written. */
  no_space: {status: 507, exit: 1},
  /** HUSH_HOME is on a read-only file system: nothing can be written there. */
  read_only: {status: 507, exit: 1},
  /** Another agent holds the store's lock. */
  store_locked: {status: 409, exit: 1},
  /** The agent found a debugger or preloaded code in its own process. */
  insecure_environment: {status: 500, exit: 1},
} as const

export type ErrorCode = keyof typeof errorCodes

export interface ErrorBody {
  error: {code: ErrorCode; message: string} & Record<string, unknown>
}

/** An error a user can act on: a one-line message naming the fix, plus a code and optional details. */
export class HushError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'HushError'
  }

  get status(): number {
    return errorCodes[this.code].status
  }

  get exitCode(): number {
    return errorCodes[this.code].exit
  }

  toBody(): ErrorBody {
    return {error: {...this.details, code: this.code, message: this.message}}
  }

  static fromBody(body: unknown, status: number): HushError {
    const error = (body as Partial<ErrorBody> | undefined)?.error
    if (error && typeof error.code === 'string' && error.code in errorCodes && typeof error.message === 'string') {
      const {code, message, ...details} = error
      return new HushError(code, message, details)
    }
    return new HushError('internal', `The hush agent answered HTTP ${status} with no usable error.`)
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && value in errorCodes
}

/**
 * Text from outside (a name, an image, a header field) as it goes into a message: JSON-quoted, so
 * control characters, escapes and newlines show as `\u001b`, `\n` and never reach the terminal,
 * and cut to `max` characters.
 */
export function quoted(text: unknown, max = 140): string {
  return JSON.stringify(String(text)).slice(0, max)
}

/** SQLite's primary result codes hush tells apart (https://sqlite.org/rescode.html). */
export const SQLITE_BUSY = 5
export const SQLITE_READONLY = 8
export const SQLITE_FULL = 13

/**
 * SQLite's primary result code of a failure that node:sqlite threw (code ERR_SQLITE_ERROR, the
 * result code in `errcode`; an extended code keeps the primary one in its low byte); else undefined.
 */
export function sqliteResult(error: unknown): number | undefined {
  const failure = error as {code?: unknown; errcode?: unknown}
  if (failure?.code !== 'ERR_SQLITE_ERROR' || typeof failure.errcode !== 'number') return undefined
  return failure.errcode & 0xff
}

/**
 * A write refused because HUSH_HOME is on a read-only file system (EROFS, SQLite's
 * SQLITE_READONLY) as the one line users see; else undefined.
 */
export function readOnlyError(error: unknown, home: string): HushError | undefined {
  const failure = error as {code?: string; path?: string}
  if (failure?.code !== 'EROFS' && sqliteResult(error) !== SQLITE_READONLY) return undefined
  return new HushError(
    'read_only',
    `HUSH_HOME ${quoted(home)} is on a read-only file system${failure.path ? ` (writing ${quoted(failure.path)})` : ''}: remount it read-write, or set HUSH_HOME to a directory you can write. Nothing was changed.`,
  )
}
