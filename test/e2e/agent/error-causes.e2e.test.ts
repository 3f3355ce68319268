// Errors that name the real cause: a read-only HUSH_HOME says so (path and fix), not
// "Unexpected error: EROFS"; an unlock cache entry in the user keyring opens the store from a
// session keyring that does not link it, instead of the kernel keyring being blamed.
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import {errorLine} from '../../support/agent-tools.js'
import {storeId} from '../../support/docker.js'
import {BIN, makeHome, type TestHome} from '../../support/helpers.js'
import {cachedPayload, plantEntry, removeCachedEntries} from '../../support/kernel-keyring.js'

const PASSPHRASE = 'correct horse battery staple 42'

let t: TestHome | undefined
afterEach(async () => {
  await t?.cleanup()
  t = undefined
})

/** Runs `hush ...args` in a private mount namespace where HUSH_HOME is a read-only bind mount of itself. */
async function onReadOnlyHome(home: TestHome, args: string[]) {
  const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"'
  const result = await execa('unshare', ['-m', 'sh', '-c', script, 'sh', home.home, process.execPath, BIN, ...args], {
    env: home.env,
    reject: false,
    stdin: 'ignore',
  })
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1}
}

describe('errors that name the real cause', () => {
  it('a read-only HUSH_HOME: one line naming it and the fix', async () => {
    t = makeHome()
    await t.ok(['secrets', 'new', 'api', 'TOKEN=read-only-home-value'])
    await t.ok(['daemon', 'stop'])
    const result = await onReadOnlyHome(t, ['secrets', 'list'])
    expect(result.exitCode, result.stderr).toBe(1)
    expect(errorLine(result.stderr)).toBe(
      `hush: HUSH_HOME "${t.home}" is on a read-only file system (writing "${t.home}/agent.log"): remount it read-write, or set HUSH_HOME to a directory you can write. Nothing was changed.`,
    )
    // Writable again, the store is as it was.
    expect((await t.ok(['secrets', 'list'])).stdout).toContain('api')
  })
})

describe('the unlock cache in a session keyring that does not link the user keyring', () => {
  it('opens the store from its user-keyring entry (links @u as pam_keyinit does)', async () => {
    t = makeHome()
    await t.ok(['init', '--keyring', 'passphrase'], {input: `${PASSPHRASE}\n`})
    await t.ok(['secrets', 'new', 'api', 'TOKEN=session-keyring-value'])
    const id = (await storeId(t))!
    // Move the entry into the user keyring, where hush keeps it when there is no persistent keyring.
    const payload = await cachedPayload(id)
    expect(payload).toBeDefined()
    await t.ok(['daemon', 'stop'])
    await removeCachedEntries(id)
    await plantEntry(id, payload!)
    // A fresh session keyring (`keyctl session -`) links nothing: the entry is found, not possessed.
    const inSession = (args: string[]) =>
      execa('keyctl', ['session', '-', process.execPath, BIN, ...args], {env: t!.env, reject: false, stdin: 'ignore'})
    const listed = await inSession(['secrets', 'list'])
    expect(listed.exitCode, listed.stderr).toBe(0)
    expect(listed.stdout).toContain('api')
    expect((await inSession(['daemon', 'status'])).stdout).toContain('master key: passphrase, unsealed')
  })
})
