// Node's compile cache holds the compiled code that every hush process runs, the agent too. Node's
// default place for it is a directory of the shared temp directory (TMPDIR/node-compile-cache) that
// any local user can create first and fill. hush keeps it in the user's own ~/.cache/hush/compile
// (XDG_CACHE_HOME honoured), or runs without it; a directory that another user prepared is never
// read or written. Real directories, a real second owner (nobody, uid 65534), the real bin/run.js.
import {chmodSync, chownSync, mkdirSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {BIN, dirForTest} from '../../support/helpers.js'

const NOBODY = 65534

/** A directory as another user would prepare it for a victim: theirs, open to all. */
function prepared(dir: string): string {
  mkdirSync(dir, {recursive: true})
  chownSync(dir, NOBODY, NOBODY)
  chmodSync(dir, 0o777)
  return dir
}

/** Every file under `dir`, as paths relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
}

async function hushVersion(env: Record<string, string>): Promise<void> {
  const result = await execa(process.execPath, [BIN, '--version'], {env, reject: false, stdin: 'ignore'})
  expect(result.exitCode, result.stderr).toBe(0)
  expect(result.stdout).toMatch(/^hush\/\d/)
  expect(result.stderr).toBe('')
}

describe('the compile cache', () => {
  it('goes to ~/.cache/hush/compile, never into a node-compile-cache another user prepared in TMPDIR', async () => {
    const tmp = dirForTest()
    chmodSync(tmp, 0o1777)
    const trap = prepared(join(tmp, 'node-compile-cache'))
    const cache = join(dirForTest(), 'cache')
    await hushVersion({TMPDIR: tmp, XDG_CACHE_HOME: cache})
    expect(files(trap)).toEqual([])
    expect(files(join(cache, 'hush', 'compile')).length).toBeGreaterThan(0)
    // The second run reads what the first wrote, and still leaves the trap alone.
    await hushVersion({TMPDIR: tmp, XDG_CACHE_HOME: cache})
    expect(files(trap)).toEqual([])
  })

  it('is off, and hush still runs, when another user prepared hush/compile in a shared XDG_CACHE_HOME', async () => {
    const shared = dirForTest()
    chmodSync(shared, 0o1777)
    const hush = prepared(join(shared, 'hush'))
    const trap = prepared(join(hush, 'compile'))
    const tmp = dirForTest()
    await hushVersion({TMPDIR: tmp, XDG_CACHE_HOME: shared})
    expect(files(trap)).toEqual([])
    expect(readdirSync(tmp)).toEqual([])
  })
})
