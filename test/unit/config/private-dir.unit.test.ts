// hush's cache directories (userCacheDir): the code hush loads from them (native addons, Node's
// compile cache) must be the user's, so a directory that another user made, owns or can write in, at
// or above them, is refused in one line with the fix. Real directories, real owners (chown to
// nobody, uid 65534: the tests run as root, as .ci/run does).
import {chmodSync, chownSync, lstatSync, mkdirSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CacheDirError, userCacheDir} from '../../../src/config/private-dir.js'
import {dirForTest} from '../../support/helpers.js'

const NOBODY = 65534

function cacheDir(base: string): string {
  return userCacheDir('compile', {XDG_CACHE_HOME: base})
}

describe('userCacheDir', () => {
  it('creates XDG_CACHE_HOME/hush/NAME with mode 0700 and answers it', () => {
    const base = join(dirForTest(), 'cache')
    const dir = cacheDir(base)
    expect(dir).toBe(join(base, 'hush', 'compile'))
    for (const path of [join(base, 'hush'), dir]) expect(lstatSync(path).mode & 0o777).toBe(0o700)
    expect(cacheDir(base)).toBe(dir)
  })

  it('refuses its directory open to others, naming chmod 700', () => {
    const base = dirForTest()
    const dir = cacheDir(base)
    chmodSync(dir, 0o777)
    expect(() => cacheDir(base)).toThrow(CacheDirError)
    expect(() => cacheDir(base)).toThrow(
      `Refusing to use ${dir}: it is open to group or others (mode 0777): fix it with \`chmod 700 ${dir}\`.`,
    )
  })

  it('refuses a hush directory that is a symlink, even to a private directory', () => {
    const base = dirForTest()
    const elsewhere = join(dirForTest(), 'hush')
    mkdirSync(elsewhere, {mode: 0o700})
    symlinkSync(elsewhere, join(base, 'hush'))
    expect(() => cacheDir(base)).toThrow(
      /^Refusing to use .*\/hush: it is a symlink \(to .*\), not a directory of yours/,
    )
  })

  it('refuses a hush directory that another user created first in a shared directory such as /tmp', () => {
    const shared = dirForTest()
    chmodSync(shared, 0o1777)
    mkdirSync(join(shared, 'hush', 'compile'), {recursive: true, mode: 0o777})
    chownSync(join(shared, 'hush'), NOBODY, NOBODY)
    chmodSync(join(shared, 'hush'), 0o777)
    expect(() => cacheDir(shared)).toThrow(`it belongs to another user (uid ${NOBODY})`)
  })

  it('takes a sticky shared directory (as /tmp is) as the base when hush/ in it is the user’s', () => {
    const shared = dirForTest()
    chmodSync(shared, 0o1777)
    expect(cacheDir(shared)).toBe(join(shared, 'hush', 'compile'))
  })

  it('refuses a base whose directory above belongs to another user, who could swap hush/ for theirs', () => {
    const foreign = dirForTest()
    chownSync(foreign, NOBODY, NOBODY)
    chmodSync(foreign, 0o755)
    const base = join(foreign, 'cache')
    mkdirSync(base, {mode: 0o700})
    expect(() => cacheDir(base)).toThrow(
      `${foreign} belongs to another user (uid ${NOBODY}), who could swap what hush keeps under it: set XDG_CACHE_HOME to a directory of yours.`,
    )
  })

  it('refuses a base open to group writes without the sticky bit, naming chmod go-w', () => {
    const base = dirForTest()
    chmodSync(base, 0o775)
    expect(() => cacheDir(base)).toThrow(
      `${base} is open to group or others for writing: fix it with \`chmod go-w ${base}\`.`,
    )
  })

  it('follows a symlink the user made for the base itself, and judges where it leads', () => {
    const real = dirForTest()
    const link = join(dirForTest(), 'cache')
    symlinkSync(real, link)
    expect(cacheDir(link)).toBe(join(link, 'hush', 'compile'))
    chmodSync(real, 0o777)
    expect(() => cacheDir(link)).toThrow(`${real} is open to group or others for writing`)
  })
})
