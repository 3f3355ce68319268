// `--secret-file NAME[,uid=][,gid=][,mode=][,target=][,env]`: parsing, the canonical text, the
// owner a numeric --user gives, and the 0444 fallback when hush may not chown.
import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {formatSecretFileSpec, parseSecretFileSpec} from '../../../src/api/rules/secret-file-spec.js'
import {fileOwner, placeSecretFile} from '../../../src/daemon/docker/secret-files.js'

describe('--secret-file specs', () => {
  it('parses every field and writes them back in one canonical order', () => {
    const spec = parseSecretFileSpec('db,env,target=/run/secrets/db,mode=440,gid=70,uid=999')
    expect(spec).toEqual({name: 'db', env: true, target: '/run/secrets/db', mode: 0o440, gid: 70, uid: 999})
    expect(formatSecretFileSpec(spec)).toBe('db,uid=999,gid=70,mode=0440,target=/run/secrets/db,env')
    expect(parseSecretFileSpec(formatSecretFileSpec(spec))).toEqual(spec)
    expect(formatSecretFileSpec(parseSecretFileSpec('tls'))).toBe('tls')
  })

  it.each([
    ['db,mode=999', /mode=/],
    ['db,mode=0o440', /mode=/],
    ['db,uid=-1', /uid=/],
    ['db,uid=4294967296', /uid=/],
    ['db,target=relative', /target=/],
    ['db,target=/run/secrets/../etc', /target=/],
    ['db,target=/', /target=/],
    ['db,target=/a//b', /target=/],
    ['db,target=/a,b', /b is not/],
    ['db,', /an empty field/],
    ['-db', /./],
  ])('refuses %s in one line', (text, message) => {
    expect(() => parseSecretFileSpec(text)).toThrow(message)
    try {
      parseSecretFileSpec(text)
    } catch (error) {
      expect((error as Error).message).not.toContain('\n')
    }
  })

  it('gives the files to a numeric --user unless uid=/gid= say otherwise; a user name gives nobody', () => {
    expect(fileOwner({name: 'db'}, '999')).toEqual({uid: 999, gid: -1})
    expect(fileOwner({name: 'db'}, '999:70')).toEqual({uid: 999, gid: 70})
    expect(fileOwner({name: 'db', uid: 5}, '999:70')).toEqual({uid: 5, gid: 70})
    expect(fileOwner({name: 'db'}, 'postgres')).toBeUndefined()
    expect(fileOwner({name: 'db'}, undefined)).toBeUndefined()
    expect(fileOwner({name: 'db', gid: 70}, undefined)).toEqual({uid: -1, gid: 70})
  })
})

describe('placing a secret file', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
  })

  function written(): string {
    const dir = mkdtempSync(join(tmpdir(), 'hush-place-'))
    dirs.push(dir)
    const file = join(dir, 'KEY')
    writeFileSync(file, 'value', {mode: 0o600})
    return file
  }

  it('chowns and applies the mode (0400 by default)', () => {
    const calls: number[][] = []
    const file = written()
    placeSecretFile(file, {name: 'db'}, {uid: 999, gid: 999}, (_path, uid, gid) => calls.push([uid, gid]))
    expect(calls).toEqual([[999, 999]])
    expect(statSync(file).mode & 0o777).toBe(0o400)
    placeSecretFile(file, {name: 'db', mode: 0o440}, {uid: 999, gid: 999}, () => undefined)
    expect(statSync(file).mode & 0o777).toBe(0o440)
  })

  it('falls back to 0444 when hush may not chown (EPERM), and keeps 0600 with no owner', () => {
    const file = written()
    const eperm = () => {
      throw Object.assign(new Error('EPERM: operation not permitted'), {code: 'EPERM'})
    }
    placeSecretFile(file, {name: 'db', mode: 0o400}, {uid: 999, gid: -1}, eperm)
    expect(statSync(file).mode & 0o777).toBe(0o444)
    const own = written()
    placeSecretFile(own, {name: 'db'}, undefined)
    expect(statSync(own).mode & 0o777).toBe(0o600)
  })
})
