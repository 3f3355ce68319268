// Request bodies of the backup and key routes are exact: a field the contract does not name is
// refused, so a typo (`include_deleted`) never silently means the default.
import {HushError} from '../../api/errors.js'

export function exactFields(input: object, allowed: readonly string[]): void {
  const unknown = Object.keys(input).filter((field) => !allowed.includes(field))
  if (unknown.length > 0) {
    throw new HushError(
      'bad_request',
      `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: this route takes ${allowed.join(', ')}.`,
    )
  }
}

/** A backup file sent base64 in a body, as bytes. */
export function backupFileBytes(file: unknown): Buffer {
  if (typeof file !== 'string' || file.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(file)) {
    throw new HushError('bad_request', '`file` must be the backup file, base64.')
  }
  return Buffer.from(file, 'base64')
}
