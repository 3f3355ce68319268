// A fresh clone installs with `npm ci` where the Secret Service headers are hidden (a private mount
// namespace with an empty directory over /usr/include/libsecret-1: nothing may compile against
// libsecret), then stores a secret whose master key goes to the real gnome-keyring of this session.
// To stay affordable, npm runs from its cache without install scripts, and the one thing this test
// is not about comes from this checkout: the built dist/.
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import type {Hello} from '../../../src/api/contract.js'
import {ROOT} from '../../support/helpers.js'

const work = mkdtempSync(join(tmpdir(), 'hush-fresh-'))
const clone = join(work, 'hush')
const home = join(work, 'home')
let account: string | undefined

afterAll(async () => {
  await execa('node', [join(clone, 'bin/run.js'), 'daemon', 'stop'], {env: {HUSH_HOME: home}, reject: false})
  if (account) await execa('secret-tool', ['clear', 'service', 'hush', 'username', account], {reject: false})
  rmSync(work, {recursive: true, force: true})
})

describe('fresh install', () => {
  it('npm ci with no libsecret headers, then a secret stored through the real keyring', async () => {
    expect(
      process.env.DBUS_SESSION_BUS_ADDRESS,
      'run with `npm test` (a D-Bus session with gnome-keyring)',
    ).toBeTruthy()
    const cloned = await execa('git', ['clone', '-q', ROOT, clone], {reject: false})
    expect(cloned.exitCode, cloned.stderr).toBe(0)
    const empty = join(work, 'empty')
    mkdirSync(empty)
    const script = [
      'set -e',
      // Hide the headers keytar needed (when the package is installed at all), and prove they are hidden.
      `if [ -d /usr/include/libsecret-1 ]; then mount --bind ${empty} /usr/include/libsecret-1; fi`,
      'test -z "$(ls -A /usr/include/libsecret-1 2>/dev/null)"',
      `cd ${clone}`,
      'npm ci --ignore-scripts --prefer-offline --no-audit --no-fund',
    ].join('\n')
    const installed = await execa('unshare', ['-m', 'bash', '-c', script], {reject: false, all: true})
    expect(installed.exitCode, installed.all).toBe(0)

    // The binding npm picked for this platform is prebuilt and links neither libdbus nor libsecret.
    const scope = join(clone, 'node_modules/@napi-rs')
    const platform = readdirSync(scope).find((name) => name.startsWith('keyring-'))
    expect(platform).toBeTruthy()
    const binding = readdirSync(join(scope, platform!)).find((name) => name.endsWith('.node'))!
    const ldd = await execa('ldd', [join(scope, platform!, binding)])
    expect(ldd.stdout).not.toMatch(/libdbus|libsecret/)

    // Not what this test is about: the build.
    cpSync(join(ROOT, 'dist'), join(clone, 'dist'), {recursive: true})
    cpSync(join(ROOT, 'oclif.manifest.json'), join(clone, 'oclif.manifest.json'))
    expect(existsSync(join(clone, 'node_modules/keytar'))).toBe(false)

    const env = {HUSH_HOME: home, HUSH_IDLE_TIMEOUT: '60'}
    const created = await execa('node', [join(clone, 'bin/run.js'), 'secrets', 'new', 'fresh', 'K=v'], {
      env,
      reject: false,
    })
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.stdout).toContain('Created secret fresh: version 1, keys K.')
    const status = JSON.parse(
      (await execa('node', [join(clone, 'bin/run.js'), 'daemon', 'status', '--json'], {env})).stdout,
    ) as Hello
    account = status.keyringAccount ?? undefined
    expect(status.keyring).toBe('os')
    const lookup = await execa('secret-tool', ['lookup', 'service', 'hush', 'username', String(account)], {
      reject: false,
    })
    expect(Buffer.from(lookup.stdout, 'base64')).toHaveLength(32)
  }, 600_000)
})
