// A backup file as the backup routes receive it: base64 in the JSON body, checked, as bytes.
import {HushError} from '../../../api/errors.js'

export function backupFileBytes(file: string): Buffer {
  if (file.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(file)) {
    throw new HushError('bad_request', '`file` must be the backup file, base64.')
  }
  return Buffer.from(file, 'base64')
}
