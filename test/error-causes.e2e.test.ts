// Errors that name the real cause: a read-only HUSH_HOME says so (path and fix), not
// "Unexpected error: EROFS".
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import {errorLine} from './agent-tools.js'
import {BIN, makeHome, type TestHome} from './helpers.js'

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
