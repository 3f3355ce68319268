// The agent's socket is private: a 0700 directory of the user's, the socket itself 0600, and the
// agent refuses a directory that is not the user's or is open to others. Another local user
// (created here with useradd, run with runuser) cannot connect. Needs root, as CI runs.
import {chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {resolvePaths} from '../../../src/config/paths.js'
import {BIN, makeHome, type TestHome} from '../../support/helpers.js'

const OTHER_USER = `hush-other-${process.pid}`
let otherUid: number

beforeAll(async () => {
  expect(process.getuid?.(), 'this test creates a second local user: run it as root (CI does)').toBe(0)
  await execa('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER])
  otherUid = Number((await execa('id', ['-u', OTHER_USER])).stdout.trim())
})
afterAll(async () => {
  await execa('userdel', [OTHER_USER], {reject: false})
})

const homes: TestHome[] = []
const runtimeDirs: string[] = []
afterAll(async () => {
  await Promise.all(homes.map((t) => t.cleanup()))
  for (const dir of runtimeDirs) rmSync(dir, {recursive: true, force: true})
})

/** A store whose runtime directories sit under a private XDG_RUNTIME_DIR: the modes changed here touch no other test's agent. */
function privateHome(): TestHome {
  const runtime = mkdtempSync(join(tmpdir(), 'hush-xdg-'))
  runtimeDirs.push(runtime)
  const t = makeHome({XDG_RUNTIME_DIR: runtime})
  homes.push(t)
  return t
}

function mode(path: string): number {
  return statSync(path).mode & 0o777
}

/** Tries to connect to `socket` as the other user; returns `connected` or the error code. */
async function connectAs(user: string, socket: string): Promise<string> {
  const script = `const s=require('net').connect(process.argv[1]);s.on('connect',()=>{console.log('connected');s.destroy()});s.on('error',(e)=>console.log(e.code))`
  const result = await execa('runuser', ['-u', user, '--', process.execPath, '-e', script, socket], {
    cwd: '/',
    reject: false,
  })
  return result.stdout.trim() || `exit ${result.exitCode}: ${result.stderr}`
}

describe('socket hardening', () => {
  it('keeps the socket in a private directory and another local user cannot connect', async () => {
    const t = privateHome()
    const init = await t.hush(['init', '--keyring', 'passphrase'], {input: 'socket test passphrase\n'})
    expect(init.exitCode, init.stderr).toBe(0)
    const paths = resolvePaths({...process.env, ...t.env})
    expect(paths.runtimeDir.startsWith(t.env.XDG_RUNTIME_DIR)).toBe(true)
    expect(statSync(paths.socket).isSocket()).toBe(true)
    expect(mode(paths.socket)).toBe(0o600)
    expect(mode(paths.runtimeDir)).toBe(0o700)
    expect(mode(dirname(paths.runtimeDir))).toBe(0o700)
    expect(mode(t.home)).toBe(0o700)
    expect(mode(paths.db)).toBe(0o600)
    expect(mode(paths.log)).toBe(0o600)

    // Control: the other user can run node and connect to a socket that allows it...
    const openDir = mkdtempSync(join(tmpdir(), 'hush-open-'))
    chmodSync(openDir, 0o755)
    const openSocket = join(openDir, 'open.sock')
    const server = createServer((conn) => conn.destroy())
    await new Promise<void>((resolve) => server.listen(openSocket, resolve))
    chmodSync(openSocket, 0o666)
    try {
      expect(await connectAs(OTHER_USER, openSocket)).toBe('connected')
    } finally {
      server.close()
      rmSync(openDir, {recursive: true, force: true})
    }
    // ...but not to hush's.
    expect(await connectAs(OTHER_USER, t.socket)).toBe('EACCES')
    // Even with the directories opened up, the socket's own 0600 mode keeps them out.
    const opened = [t.env.XDG_RUNTIME_DIR, dirname(paths.runtimeDir), paths.runtimeDir]
    for (const dir of opened) chmodSync(dir, 0o711)
    try {
      expect(await connectAs(OTHER_USER, t.socket)).toBe('EACCES')
    } finally {
      for (const dir of opened) chmodSync(dir, 0o700)
    }
    expect((await t.hush(['daemon', 'status'])).exitCode).toBe(0)
  })

  it('refuses to start when the socket directory is open to others or not the user’s', async () => {
    const t = privateHome()
    const paths = resolvePaths({...process.env, ...t.env})
    expect(paths.runtimeDir.startsWith(t.env.XDG_RUNTIME_DIR)).toBe(true)
    mkdirSync(paths.runtimeDir, {recursive: true, mode: 0o700})

    chmodSync(paths.runtimeDir, 0o755)
    const open = await t.hush(['secrets', 'list'])
    expect(open.exitCode).toBe(1)
    expect(open.stderr).toContain(`Refusing to use ${paths.runtimeDir}`)
    expect(open.stderr).toContain('chmod 700')
    expect(t.agentPid()).toBeUndefined()
    // The agent itself refuses too, when run directly.
    const run = await execa(process.execPath, [BIN, 'daemon', 'run'], {env: t.env, reject: false, timeout: 30_000})
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('Refusing to use')

    chmodSync(paths.runtimeDir, 0o700)
    chownSync(paths.runtimeDir, otherUid, otherUid)
    const foreign = await t.hush(['secrets', 'list'])
    expect(foreign.exitCode).toBe(1)
    expect(foreign.stderr).toContain(`Refusing to use ${paths.runtimeDir}`)
    chownSync(paths.runtimeDir, 0, 0)

    chmodSync(dirname(paths.runtimeDir), 0o777)
    const parent = await t.hush(['secrets', 'list'])
    expect(parent.exitCode).toBe(1)
    expect(parent.stderr).toContain(`Refusing to use ${dirname(paths.runtimeDir)}`)
    chmodSync(dirname(paths.runtimeDir), 0o700)
  })
})
