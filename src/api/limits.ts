// Names, keys, values and request sizes that hush accepts, checked the same way by the CLI and the agent.
import {HushError} from './errors.js'

export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
export const MAX_KEY_LENGTH = 256
export const MAX_VALUE_BYTES = 64 * 1024
export const MAX_BODY_BYTES = 1024 * 1024
export const MAX_DESCRIPTION_LENGTH = 1024

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
