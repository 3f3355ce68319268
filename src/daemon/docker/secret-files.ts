// `--secret-file` on the host: one private directory per deployment revision, in the env-file's
// private tmpfs directory (containers.ts), holding one file per key (0600, or given to the
// container's uid/gid, or 0444 when hush cannot chown: the 0700 directory keeps host users out);
// bind-mounted read-only at TARGET/KEY (/run/secrets/KEY). The files live exactly as long as the
// container: callers remove them on terminate, exit, resubmit and failed launches, and at agent
// start for deployments no longer live.
import {chmodSync, chownSync, closeSync, mkdirSync, openSync, readdirSync, rmdirSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {type SecretFileSpec, secretFilePath} from '../../api/rules/secret-file-spec.js'
import {envFileDir, type HushPaths} from '../../config/paths.js'
import {type EnvEntry, type FileMount, inDirectory, prepareEnvFileDir} from './containers.js'

/** One file under /run/secrets: `key` is the file name. */
export interface SecretFileEntry {
  key: string
  value: Uint8Array
  secret: string
}

const DIR = /^(d-[0-9a-f]+)-r(\d+)$/

function filesRoot(paths: HushPaths): string {
  return join(envFileDir(paths), 'files')
}

/** Who a file goes to: uid=/gid= of the spec, else a numeric `--user UID[:GID]`; undefined: nobody in particular. */
export function fileOwner(spec: SecretFileSpec, user: string | undefined): {uid: number; gid: number} | undefined {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user ?? '')
  const uid = spec.uid ?? (numeric ? Number(numeric[1]) : undefined)
  const gid = spec.gid ?? (numeric?.[2] === undefined ? undefined : Number(numeric[2]))
  if (uid === undefined && gid === undefined) return undefined
  return {uid: uid ?? -1, gid: gid ?? -1}
}

/**
 * Gives a written (0600) file to its owner with `mode` (0400 by default). When hush may not chown
 * (it does not run as root), the file becomes 0444 so the container's user can read it: it sits
 * in a 0700 directory of the host user, so no other host user reaches it.
 */
export function placeSecretFile(
  source: string,
  spec: SecretFileSpec,
  owner: {uid: number; gid: number} | undefined,
  chown: (path: string, uid: number, gid: number) => void = chownSync,
): void {
  if (!owner) {
    if (spec.mode !== undefined) chmodSync(source, spec.mode)
    return
  }
  try {
    chown(source, owner.uid, owner.gid)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error
    chmodSync(source, 0o444)
    return
  }
  chmodSync(source, spec.mode ?? 0o400)
}

export interface SecretFilesPlan {
  mounts: FileMount[]
  /** `KEY_FILE=PATH` for the specs with `env` (plain: a path is not secret). */
  env: EnvEntry[]
}

/**
 * Writes one revision's files (directory 0700, files created exclusively 0600, then given to their
 * owner) and returns the mounts and the `KEY_FILE` env. `specs`: the recorded `--secret-file` specs.
 */
export function writeSecretFiles(
  paths: HushPaths,
  id: string,
  revision: number,
  files: SecretFileEntry[],
  specs: SecretFileSpec[] = [],
  user?: string,
): SecretFilesPlan {
  if (files.length === 0) return {mounts: [], env: []}
  const byName = new Map(specs.map((spec) => [spec.name, spec]))
  const root = join(prepareEnvFileDir(paths), 'files')
  mkdirSync(root, {mode: 0o700, recursive: true})
  const dir = join(root, `${id}-r${revision}`)
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {mode: 0o700})
  const mounts: FileMount[] = []
  const env: EnvEntry[] = []
  try {
    for (const file of files) {
      const spec = byName.get(file.secret) ?? {name: file.secret}
      const source = join(dir, file.key)
      try {
        const fd = openSync(source, 'wx', 0o600)
        try {
          writeSync(fd, file.value)
        } finally {
          closeSync(fd)
        }
      } catch (error) {
        throw inDirectory(error, root)
      }
      placeSecretFile(source, spec, fileOwner(spec, user))
      const target = secretFilePath(spec, file.key)
      mounts.push({source, target})
      if (spec.env) env.push({key: `${file.key}_FILE`, value: Buffer.from(target)})
    }
  } catch (error) {
    rmSync(dir, {recursive: true, force: true})
    throw error
  }
  return {mounts, env}
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
