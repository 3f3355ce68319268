// Where a backup file meets the file system, on the CLI side: checking the target before any
// prompt, writing through a 0600 temporary file in the same directory renamed into place (an
// interrupted or failed write never leaves a half file under FILE), and reading one back.
import {randomBytes} from 'node:crypto'
import {constants, fchmodSync, promises as fs, fstatSync, statSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {type BackupHeader, MAX_BACKUP_FILE_BYTES} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {IOStreams} from './io.js'

/** `-` means standard output (write) or is refused (read). */
export const STDIO = '-'

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error'
}

/**
 * Refuses a target that cannot be written, before any passphrase is asked. Standard output
 * redirected to a regular file (`> FILE` makes it 0644 under the usual umask) is made 0600 before
 * any byte reaches it; the warning to show when that cannot be done.
 */
export function checkBackupTarget(file: string, force: boolean, io: IOStreams): string | undefined {
  if (file === STDIO) {
    if (io.isTTY.stdout) {
      throw new HushError(
        'bad_request',
        'A backup is binary: redirect standard output to a file (`hush backup - > FILE`).',
      )
    }
    return privateStdout(io)
  }
  const dir = dirname(resolve(file))
  let dirStat: ReturnType<typeof statSync> | undefined
  try {
    dirStat = statSync(dir)
  } catch {
    dirStat = undefined
  }
  if (!dirStat?.isDirectory()) {
    throw new HushError('bad_request', `The directory ${dir} does not exist: create it first, or choose another path.`)
  }
  let exists = false
  try {
    exists = statSync(file) !== undefined
  } catch {
    exists = false
  }
  if (exists && !force) {
    throw new HushError('bad_request', `${file} already exists: choose another name, or pass --force to replace it.`)
  }
  return undefined
}

/** Standard output, when it is a regular file open to group or others, narrowed to 0600; else a warning. */
function privateStdout(io: IOStreams): string | undefined {
  const fd = (io.stdout as {fd?: unknown}).fd
  if (typeof fd !== 'number') return undefined
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile() || (stat.mode & 0o077) === 0) return undefined
    fchmodSync(fd, 0o600)
    return undefined
  } catch (error) {
    return `warning: could not make the file behind standard output private (${errno(error)}): anyone who can read it gets the backup; run \`chmod 600\` on it.`
  }
}

/**
 * Writes `bytes` to `file` whole or not at all: a new 0600 file next to it, fsynced, then renamed
 * over FILE (and the directory fsynced). On any failure the temporary file is removed and FILE,
 * if it existed, is untouched.
 */
export async function writeBackupFile(file: string, bytes: Uint8Array, io: IOStreams): Promise<void> {
  if (file === STDIO) {
    await new Promise<void>((done, fail) => io.stdout.write(bytes, (error) => (error ? fail(error) : done())))
    return
  }
  const target = resolve(file)
  const dir = dirname(target)
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let handle: fs.FileHandle | undefined
  try {
    handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    await handle.writeFile(bytes)
    await handle.sync()
    await handle.close()
    handle = undefined
    await fs.rename(temp, target)
  } catch (error) {
    await handle?.close().catch(() => undefined)
    await fs.rm(temp, {force: true}).catch(() => undefined)
    const code = errno(error)
    const why =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? `no space left in ${dir}`
        : code === 'EACCES' || code === 'EPERM'
          ? `no permission to write in ${dir}`
          : `${code} in ${dir}`
    throw new HushError('internal', `Could not write the backup (${why}): ${file} was not written or changed.`)
  }
  const directory = await fs.open(dir, constants.O_RDONLY).catch(() => undefined)
  await directory?.sync().catch(() => undefined)
  await directory?.close()
}

/** A backup file's bytes, or a one-line error. */
export async function readBackupFile(file: string): Promise<Buffer> {
  if (file === STDIO) {
    throw new HushError('bad_request', 'Give the backup as a file path (standard input carries the passphrase).')
  }
  try {
    const stat = await fs.stat(file)
    if (!stat.isFile()) throw new HushError('bad_request', `${file} is not a file: give the path of a hush backup.`)
    if (stat.size > MAX_BACKUP_FILE_BYTES) {
      throw new HushError('backup_damaged', `${file} is over ${MAX_BACKUP_FILE_BYTES} bytes: it is not a hush backup.`)
    }
    return await fs.readFile(file)
  } catch (error) {
    if (error instanceof HushError) throw error
    const code = errno(error)
    throw new HushError(
      'bad_request',
      code === 'ENOENT' ? `No file ${file}: check the path of the backup.` : `Could not read ${file} (${code}).`,
    )
  }
}

/** A backup's header in one line: what it holds, by which hush, when. */
export function describeHeader(header: BackupHeader): string {
  const {counts} = header
  const extra = counts.deleted || counts.audit ? `, ${counts.deleted} deleted, ${counts.audit} audit events` : ''
  return `format ${header.format}, hush ${header.hush}, created ${header.createdAt}: ${counts.secrets} secrets, ${counts.values} values${extra}`
}
