// Names, keys, values, versions, times, counts and request sizes that hush accepts, checked the same
// way by the CLI and the agent (and for every row of a restored backup).
import {randomBytes} from 'node:crypto'
import {HushError, quoted} from './errors.js'

export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
export const MAX_KEY_LENGTH = 256
export const MAX_VALUE_BYTES = 64 * 1024
export const MAX_BODY_BYTES = 1024 * 1024
export const MAX_DESCRIPTION_LENGTH = 1024
/** A secret's highest version: far beyond any real use, and every version up to it is exact in a double. */
export const MAX_VERSION = 2 ** 31 - 1
/** A count (of secrets, values, events) in a store-wide audit event: a whole number from 0 to this. */
export const MAX_COUNT = 2 ** 31 - 1
/** The earliest time hush accepts in a row (no store is older); the latest is a day from now (a clock ahead). */
const EARLIEST_TIME = Date.parse('2000-01-01T00:00:00.000Z')
const DAY_MS = 86_400_000

/** The name, or `invalid_name`; like a key, text that fails the rule is never repeated (it may be a value). */
export function checkSecretName(name: unknown): string {
  if (typeof name !== 'string' || !SECRET_NAME.test(name)) {
    throw new HushError(
      'invalid_name',
      `Invalid secret name (not shown: it may be a value): use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit.`,
    )
  }
  return name
}

/** Whether `key` is a key of a bundle: an env var name of at most MAX_KEY_LENGTH characters. */
export function isKey(key: unknown): key is string {
  return typeof key === 'string' && key.length <= MAX_KEY_LENGTH && ENV_KEY.test(key)
}

/** What a key must be, for any message that refuses one. */
export const KEY_RULE = `a key is an env var name (letters, digits, '_', not starting with a digit), at most ${MAX_KEY_LENGTH} characters`

/**
 * The key, or `invalid_key` naming where it was given (`--from-stdin`, `argument 3`). The message
 * never repeats the text: what fails the key rule may be a value typed where a key goes.
 */
export function checkKey(key: unknown, where?: string): string {
  if (!isKey(key)) {
    throw new HushError(
      'invalid_key',
      `Invalid key${where ? ` in ${where}` : ''} (not shown: it may be a value): ${KEY_RULE}.`,
    )
  }
  return key
}

/**
 * The text of UTF-8 bytes, or undefined when they are not valid UTF-8 (strict: no byte replaced,
 * a byte order mark kept). The one UTF-8 rule for values, wherever they come from.
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * Checks a plaintext value without ever echoing it: the message names the key, never the value.
 * Returns the UTF-8 text of the value.
 */
export function checkValue(key: string, bytes: Uint8Array): string {
  if (bytes.length === 0) {
    throw new HushError('invalid_value', `The value of ${key} is empty: give at least one byte.`)
  }
  if (bytes.length > MAX_VALUE_BYTES) {
    throw new HushError(
      'invalid_value',
      `The value of ${key} is ${bytes.length} bytes: the limit is ${MAX_VALUE_BYTES} bytes (64 KiB).`,
    )
  }
  if (bytes.includes(0)) {
    throw new HushError('invalid_value', `The value of ${key} contains a NUL byte: values must be text without NUL.`)
  }
  const text = utf8Text(bytes)
  if (text === undefined) {
    throw new HushError('invalid_value', `The value of ${key} is not valid UTF-8: values must be UTF-8 text.`)
  }
  return text
}

export function checkDescription(description: unknown): string {
  if (description === undefined || description === null) return ''
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH || description.includes('\0')) {
    throw new HushError('bad_request', `A description is text of at most ${MAX_DESCRIPTION_LENGTH} characters.`)
  }
  return description
}

/** An app name (the scope of an app-scoped secret): the same rule as a secret name. */
export function checkAppName(app: unknown): string {
  if (typeof app !== 'string' || !SECRET_NAME.test(app)) {
    throw new HushError(
      'invalid_name',
      `Invalid app name (not shown: it may be a value): use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit (the --name given to hush submit).`,
    )
  }
  return app
}

/** An optional app scope from a request: absent = shared (null); an empty name is refused like any bad one. */
export function checkAppScope(app: unknown): string | null {
  return app === undefined || app === null ? null : checkAppName(app)
}

/** A secret's version: a whole number from 1 to MAX_VERSION (a version past 2^53 would stop increasing). */
export function checkVersion(version: unknown): number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new HushError(
      'bad_request',
      `Invalid version ${quoted(version, 40)}: a version is a whole number from 1 to ${MAX_VERSION}.`,
    )
  }
  return version
}

/** The version a new bundle of a secret at `version` gets: refused past MAX_VERSION. */
export function nextVersion(version: number): number {
  if (version >= MAX_VERSION) {
    throw new HushError(
      'bad_request',
      `This secret is at version ${version}, the highest there is: delete it and create it again.`,
    )
  }
  return version + 1
}

/** A time as hush writes it (`Date.toISOString()`, UTC, milliseconds), from 2000 to a day from now. */
export function checkTimestamp(at: unknown, now = Date.now()): string {
  const time = typeof at === 'string' ? Date.parse(at) : Number.NaN
  if (
    typeof at !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at) ||
    Number.isNaN(time) ||
    new Date(time).toISOString() !== at ||
    time < EARLIEST_TIME ||
    time > now + DAY_MS
  ) {
    throw new HushError(
      'bad_request',
      `Invalid time ${quoted(at, 60)}: a time is UTC as hush writes it (2026-01-31T12:00:00.000Z), from 2000 to a day from now.`,
    )
  }
  return at
}

/** A count of a store-wide audit event: a whole number from 0 to MAX_COUNT. */
export function checkCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_COUNT) {
    throw new HushError(
      'bad_request',
      `Invalid count ${quoted(count, 40)}: a count is a whole number from 0 to ${MAX_COUNT}.`,
    )
  }
  return count
}

/** A deployment id: `d-` and 8 hex digits, as newDeploymentId makes them. */
export const DEPLOYMENT_ID = /^d-[0-9a-f]{8}$/

/** A new random deployment id, of the form DEPLOYMENT_ID checks. */
export function newDeploymentId(): string {
  return `d-${randomBytes(4).toString('hex')}`
}

export function checkDeploymentId(id: unknown): string {
  if (typeof id !== 'string' || !DEPLOYMENT_ID.test(id)) {
    throw new HushError(
      'bad_request',
      `Invalid deployment id ${quoted(id, 40)}: a deployment id is d- and 8 hex digits.`,
    )
  }
  return id
}
