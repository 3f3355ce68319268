// The one rule for a directory that holds hush's own files: a real directory (not a symlink), the
// user's, closed to group and others. And hush's cache directories, which also need every directory
// above them to be one that only the user or root can change. Node's builtins only: bin/run.js loads
// this file before anything else, to place Node's compile cache (the code that every hush process,
// the agent too, then runs), so it cannot wait for the bundle.
import {lstatSync, mkdirSync, readlinkSync, realpathSync, type Stats} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'

export function uid(): number {
  return process.getuid?.() ?? 0
}

/** The fix for a state directory (HUSH_HOME) of another user's: hush cannot make it the user's. */
export const FOREIGN_HOME = 'set HUSH_HOME to a directory of yours'
/** The fix for another user's directory inside a private directory of the user's (a `userDir`): only root can make one. */
export const FOREIGN_INSIDE = 'only root can put it inside a directory of yours: have root remove it'

/**
 * What makes `dir` unfit to hold hush's files, with the fix; undefined when it is private.
 * `ifForeign`: the fix when it belongs to another user.
 */
export function privateDirProblem(dir: string, stat: Stats, ifForeign = FOREIGN_HOME): string | undefined {
  // chmod would follow a symlink, and cannot make another user's directory ours: only removing helps.
  if (stat.isSymbolicLink()) {
    let target = '?'
    try {
      target = readlinkSync(dir)
    } catch {
      // gone meanwhile
    }
    return `it is a symlink (to ${target}), not a directory of yours: remove the link (\`rm ${dir}\`), then try again`
  }
  if (!stat.isDirectory()) return `it is not a directory: remove it (\`rm ${dir}\`), then try again`
  if (stat.uid !== uid()) return `it belongs to another user (uid ${stat.uid}): ${ifForeign}`
  if ((stat.mode & 0o077) !== 0) {
    return `it is open to group or others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}): fix it with \`chmod 700 ${dir}\``
  }
  return undefined
}

const STICKY = 0o1000

/**
 * What lets another user swap an entry of `dir` or of a directory above it, with the fix; undefined
 * when only the user and root can. Each directory from / down is the user's or root's, and open to
 * group or others for writing only when sticky (as /tmp is: there nobody renames another's entry).
 * `dir` is a real path (no symlink in it).
 */
function ancestorsProblem(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const stat = lstatSync(at)
    if (stat.uid !== uid() && stat.uid !== 0) {
      return `${at} belongs to another user (uid ${stat.uid}), who could swap what hush keeps under it: set XDG_CACHE_HOME to a directory of yours`
    }
    if ((stat.mode & 0o022) !== 0 && (stat.mode & STICKY) === 0) {
      return `${at} is open to group or others for writing: fix it with \`chmod go-w ${at}\``
    }
    if (at === dirname(at)) return undefined
  }
}

/** A cache directory that is not safe to use: why, with the fix. */
export class CacheDirError extends Error {}

/**
 * hush's cache directory NAME, `${XDG_CACHE_HOME or ~/.cache}/hush/NAME`, created with mode 0700 when
 * missing. Throws a CacheDirError when `hush` or NAME is not a private directory of the user's, or a
 * directory above them lets another user swap them: hush loads code from there (native addons,
 * Node's compile cache).
 */
export function userCacheDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache')
  const hush = join(base, 'hush')
  const dir = join(hush, name)
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const above = ancestorsProblem(realpathSync(base))
  if (above) throw new CacheDirError(`Refusing to use ${dir}: ${above}.`)
  for (const path of [hush, dir]) {
    const problem = privateDirProblem(path, lstatSync(path), 'remove it, or set XDG_CACHE_HOME to a directory of yours')
    if (problem) throw new CacheDirError(`Refusing to use ${path}: ${problem}.`)
  }
  return dir
}
