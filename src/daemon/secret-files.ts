// `--secret-file` on the host: one private directory per deployment revision, in the env-file's
// private tmpfs directory (launcher.ts), holding one 0600 file per key; bind-mounted read-only at
// /run/secrets/KEY. The files live exactly as long as the container: callers remove them on
// terminate, exit, resubmit and failed launches, and at agent start for deployments no longer live.
import {closeSync, mkdirSync, openSync, readdirSync, rmdirSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import type {HushPaths} from '../config/paths.js'
import {envFileDir, type FileMount, prepareEnvFileDir} from './launcher.js'
import type {SecretFileEntry} from './resolve.js'

export const SECRET_FILES_TARGET = '/run/secrets'
const DIR = /^(d-[0-9a-f]+)-r(\d+)$/

function filesRoot(paths: HushPaths): string {
  return join(envFileDir(paths), 'files')
}

/** Writes one revision's files (directory 0700, files 0600 created exclusively) and returns the mounts. */
export function writeSecretFiles(
  paths: HushPaths,
  id: string,
  revision: number,
  files: SecretFileEntry[],
): FileMount[] {
  if (files.length === 0) return []
  const root = join(prepareEnvFileDir(paths), 'files')
  mkdirSync(root, {mode: 0o700, recursive: true})
  const dir = join(root, `${id}-r${revision}`)
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {mode: 0o700})
  const mounts: FileMount[] = []
  try {
    for (const file of files) {
      const source = join(dir, file.key)
      const fd = openSync(source, 'wx', 0o600)
      try {
        writeSync(fd, file.value)
      } finally {
        closeSync(fd)
      }
      mounts.push({source, target: `${SECRET_FILES_TARGET}/${file.key}`})
    }
  } catch (error) {
    rmSync(dir, {recursive: true, force: true})
    throw error
  }
  return mounts
}

function entries(paths: HushPaths): {dir: string; id: string; revision: number}[] {
  let root: string
  try {
    root = filesRoot(paths)
    return readdirSync(root).flatMap((name) => {
      const match = DIR.exec(name)
      return match ? [{dir: join(root, name), id: match[1], revision: Number(match[2])}] : []
    })
  } catch {
    return []
  }
}

/**
 * Removes a deployment's files: every revision, or only `only`, or all but `keep`. Returns how
 * many directories went.
 */
export function removeSecretFiles(paths: HushPaths, id: string, which: {only?: number; keep?: number} = {}): number {
  let removed = 0
  for (const entry of entries(paths)) {
    if (entry.id !== id || entry.revision === which.keep) continue
    if (which.only !== undefined && entry.revision !== which.only) continue
    rmSync(entry.dir, {recursive: true, force: true})
    removed++
  }
  if (removed) removeEmptyRoot(paths)
  return removed
}

/** The `files` directory goes when its last deployment does. */
function removeEmptyRoot(paths: HushPaths): void {
  try {
    rmdirSync(filesRoot(paths))
  } catch {
    // not empty, or already gone
  }
}

/**
 * Removes the files of deployments that are not live (`live`: id -> recorded revision) and of
 * revisions older than the recorded one. A newer revision is a resubmit under way: kept.
 */
export function removeOrphanSecretFiles(paths: HushPaths, live: Map<string, number>): number {
  let removed = 0
  for (const entry of entries(paths)) {
    const revision = live.get(entry.id)
    if (revision !== undefined && entry.revision >= revision) continue
    rmSync(entry.dir, {recursive: true, force: true})
    removed++
  }
  removeEmptyRoot(paths)
  return removed
}
