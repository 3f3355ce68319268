// The one rule for a directory that holds hush's own files: a real directory (not a symlink), the
// user's, closed to group and others.
import {readlinkSync, type Stats} from 'node:fs'

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
