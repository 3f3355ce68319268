// Who answers on the agent's socket (issue #22 item 1, and the wedged agent of item 11). Another
// local user (created here with useradd, run with setpriv, removed afterwards) runs a fake agent
// that answers hello with the right store and version and records every byte it receives: the CLI
// and the Python SDK refuse it before sending anything. A directory that user pre-created under
// the shared temp directory is never used and never a dead end. An agent that is stopped
// (SIGSTOP), or a socket that accepts and never answers, is reported within seconds, naming the pid.
// Needs root, as CI runs.
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lchownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {execa, type ResultPromise} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {resolvePaths, userDir} from '../../../src/config/paths.js'
import {VERSION} from '../../../src/version.js'
import {makeHome, ROOT, type TestHome, waitFor} from '../../support/helpers.js'

const PYTHON = '/usr/bin/python3'
const ATTACKER = `hush-fake-${process.pid}`
let attackerUid: number
let attackerGid: number

/** Where the fake agent's script and each fake's record live: readable by the other user. */
const lab = mkdtempSync(join(tmpdir(), 'hush-who-'))
const FAKE = join(lab, 'fake-agent.cjs')
const fakes: ResultPromise[] = []
const homes: TestHome[] = []
const dirs: string[] = [lab]

beforeAll(async () => {
  expect(process.getuid?.(), 'this test creates a second local user: run it as root (CI does)').toBe(0)
  await execa('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ATTACKER])
  attackerUid = Number((await execa('id', ['-u', ATTACKER])).stdout.trim())
  attackerGid = Number((await execa('id', ['-g', ATTACKER])).stdout.trim())
  chmodSync(lab, 0o755)
  writeFileSync(FAKE, FAKE_AGENT, {mode: 0o644})
})

afterAll(async () => {
  for (const fake of fakes) fake.kill('SIGKILL')
  await Promise.allSettled(fakes)
  await Promise.all(homes.map((t) => t.cleanup()))
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  await execa('userdel', [ATTACKER], {reject: false})
})

/**
 * The fake agent: answers hello as the real one would (version, store, socket, protocol 1) and
 * every other route with `[]`, or nothing at all when `silent`; appends every byte it receives to
 * its record file, and writes `RECORD.ready` once it listens.
 */
const FAKE_AGENT = `
const fs = require('node:fs')
const http = require('node:http')
const [socket, home, version, record, mode] = process.argv.slice(2)
const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    if (mode === 'silent') return
    res.setHeader('content-type', 'application/json')
    if (req.url === '/v1/hello') {
      res.end(JSON.stringify({name: 'hush', version, protocol: 1, pid: process.pid,
        publicKey: Buffer.alloc(32, 7).toString('base64'), home, socket, keyring: 'os',
        keyringAccount: null, sealed: false, unlockCache: 'none', startedAt: new Date().toISOString()}))
    } else res.end('[]')
  })
})
server.on('connection', (conn) => conn.on('data', (bytes) => fs.appendFileSync(record, bytes)))
server.listen(socket, () => {
  fs.chmodSync(socket, 0o777)
  fs.writeFileSync(record + '.ready', '')
})
`

/** A directory of the other user's (mode 0755), under `parent`. */
function attackerDir(parent: string, name: string): string {
  const dir = join(parent, name)
  mkdirSync(dir, {recursive: true, mode: 0o755})
  chmodSync(dir, 0o755)
  chownSync(dir, attackerUid, attackerGid)
  return dir
}

/** Starts the fake agent as the other user on `socket`; resolves with its pid and record file once it listens. */
async function startFake(socket: string, home: string): Promise<{pid: number; record: string}> {
  const record = join(attackerDir(lab, `record-${fakes.length}`), 'received')
  const fake = execa(
    'setpriv',
    [
      `--reuid=${attackerUid}`,
      `--regid=${attackerGid}`,
      '--clear-groups',
      process.execPath,
      FAKE,
      socket,
      home,
      VERSION,
      record,
      'answer',
    ],
    {cwd: '/', reject: false, stdin: 'ignore'},
  )
  fakes.push(fake)
  await waitFor(() => existsSync(`${record}.ready`), 10_000)
  expect(statSync(socket).uid).toBe(attackerUid)
  return {pid: fake.pid ?? 0, record}
}

/** What the fake received: every byte, as text ('' when nothing reached it). */
function received(record: string): string {
  return existsSync(record) ? readFileSync(record, 'utf8') : ''
}

function privateRuntime(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-xdg-'))
  dirs.push(dir)
  return dir
}

function home(extra: Record<string, string>): TestHome {
  const t = makeHome(extra)
  homes.push(t)
  return t
}

/** Runs a few lines of the Python SDK against the store of `env`; prints `ok <names>` or `error <code> <message>`. */
async function sdkListSecrets(env: Record<string, string>): Promise<{stdout: string; all: string}> {
  const script = `
import hush
try:
    print("ok", [s["name"] for s in hush.Client(start=False).list_secrets()])
except hush.HushError as e:
    print("error", e.code, e.message)
`
  const result = await execa(PYTHON, ['-c', script], {
    env: {...(process.env as Record<string, string>), ...env, PYTHONPATH: join(ROOT, 'python')},
    reject: false,
    stdin: 'ignore',
    all: true,
    timeout: 60_000,
  })
  return {stdout: result.stdout, all: result.all ?? ''}
}

describe('the CLI and the SDK check who answers before sending anything', () => {
  it('the CLI refuses to follow agent.owner in a store directory of another user to their fake agent', async () => {
    const t = home({XDG_RUNTIME_DIR: privateRuntime()})
    // The store directory is the other user's (say, a predictable path in /tmp they created first).
    chownSync(t.home, attackerUid, attackerGid)
    chmodSync(t.home, 0o755)
    const evil = attackerDir(lab, 'evil')
    const fake = await startFake(join(evil, 'agent.sock'), t.home)
    const owner = join(t.home, 'agent.owner')
    writeFileSync(owner, `${JSON.stringify({pid: fake.pid, socket: join(evil, 'agent.sock')})}\n`)
    lchownSync(owner, attackerUid, attackerGid)

    const list = await t.hush(['secrets', 'list'])
    expect(received(fake.record)).toBe('')
    expect(list.exitCode).toBe(1)
    expect(list.stderr.trim().split('\n')).toEqual([
      `hush: Refusing to talk to the hush agent through ${t.home}: it belongs to another user (uid ${attackerUid}): set HUSH_HOME to a directory of yours.`,
    ])
    // A value typed for it goes nowhere either.
    const create = await t.hush(['secrets', 'new', 'hf', '--from-stdin', 'HF_TOKEN'], {input: 'sk-who-answers-1\n'})
    expect(create.exitCode).toBe(1)
    expect(received(fake.record)).toBe('')

    // The store directory is the user's but others may write to it: agent.owner is not followed either.
    chownSync(t.home, 0, 0)
    chmodSync(t.home, 0o777)
    const open = await t.hush(['secrets', 'list'])
    expect(open.exitCode).toBe(1)
    expect(open.stderr).toContain(`Refusing to talk to the hush agent through ${t.home}`)
    expect(open.stderr).toContain(`chmod 700 ${t.home}`)
    expect(received(fake.record)).toBe('')
    chmodSync(t.home, 0o700)
    rmSync(owner)
  })

  it("agent.owner naming another user's process is not the user's agent (kill(pid, 0) fails with EPERM)", async () => {
    // store-owner.js has no import of hush's own: copied where the other user can load it, who runs it.
    const module = join(lab, 'store-owner.mjs')
    copyFileSync(join(ROOT, 'dist', 'config', 'store-owner.js'), module)
    const store = attackerDir(lab, 'eperm-home')
    const own = await startFake(join(attackerDir(lab, 'eperm-run'), 'agent.sock'), store)
    const ownerAs = async (pid: number) => {
      writeFileSync(join(store, 'agent.owner'), `${JSON.stringify({pid, socket: '/nowhere/agent.sock'})}\n`, {
        mode: 0o644,
      })
      const script =
        'const m = await import(process.argv[1]); console.log(JSON.stringify(m.storeOwner({home: process.argv[2]}) ?? null))'
      const result = await execa(
        'setpriv',
        [
          `--reuid=${attackerUid}`,
          `--regid=${attackerGid}`,
          '--clear-groups',
          process.execPath,
          '--input-type=module',
          '-e',
          script,
          module,
          store,
        ],
        {cwd: '/', reject: false, stdin: 'ignore', all: true},
      )
      return result.all
    }
    // Their own live process counts; root's (this test's) does not: signalling it fails with EPERM.
    expect(await ownerAs(own.pid)).toBe(JSON.stringify({pid: own.pid, socket: '/nowhere/agent.sock'}))
    expect(await ownerAs(process.pid)).toBe('null')
  })

  it('the CLI, completion and the SDK refuse a process of another user on the socket, even when every file looks right', async () => {
    const runtime = privateRuntime()
    const t = home({XDG_RUNTIME_DIR: runtime})
    const paths = resolvePaths({...process.env, ...t.env})
    // The other user gets to bind the socket in the user's runtime directory (say, root made a
    // mistake, or a leftover of another machine), then every path is made the user's again.
    mkdirSync(paths.runtimeDir, {recursive: true, mode: 0o700})
    for (const dir of [runtime, dirname(paths.runtimeDir)]) chmodSync(dir, 0o711)
    chownSync(paths.runtimeDir, attackerUid, attackerGid)
    const fake = await startFake(paths.socket, t.home)
    chownSync(paths.runtimeDir, 0, 0)
    chmodSync(paths.runtimeDir, 0o700)
    for (const dir of [runtime, dirname(paths.runtimeDir)]) chmodSync(dir, 0o700)
    lchownSync(paths.socket, 0, 0)

    const list = await t.hush(['secrets', 'list'])
    expect(received(fake.record)).toBe('')
    expect(list.exitCode).toBe(1)
    expect(list.stderr.trim().split('\n')).toEqual([
      `hush: Refusing to talk to the hush agent through ${paths.socket}: the process listening there (pid ${fake.pid}) runs as another user (uid ${attackerUid}), so it is not your hush agent and nothing was sent; remove the socket (\`rm ${paths.socket}\`), then try again.`,
    ])
    const create = await t.hush(['secrets', 'new', 'hf', '--from-stdin', 'HF_TOKEN'], {input: 'sk-who-answers-2\n'})
    expect(create.exitCode).toBe(1)
    const completion = await t.hush(['complete', 'secrets'])
    expect(completion.stdout).toBe('')
    expect(received(fake.record)).toBe('')

    const sdk = await sdkListSecrets(t.env)
    expect(received(fake.record)).toBe('')
    expect(sdk.stdout, sdk.all).toBe(
      `error insecure_path Refusing to talk to the hush agent through ${paths.socket}: the process listening there (pid ${fake.pid}) runs as another user (uid ${attackerUid}), so it is not your hush agent and nothing was sent; remove the socket (\`rm ${paths.socket}\`), then try again.`,
    )
  })

  it('a directory another user pre-created in the temp directory is skipped: CLI and SDK use the next name and never reach their fake', async () => {
    // A temp directory like /tmp (sticky, open to all), so the real /tmp/hush-0 of other tests is not touched.
    const shared = mkdtempSync(join(tmpdir(), 'hush-shared-tmp-'))
    dirs.push(shared)
    chmodSync(shared, 0o1777)
    const t = home({TMPDIR: shared, XDG_RUNTIME_DIR: ''})
    const before = resolvePaths({...process.env, ...t.env})
    expect(dirname(before.runtimeDir)).toBe(join(shared, 'hush-0'))
    // The other user takes hush-0 first and waits there with a fake agent for this very store.
    attackerDir(shared, 'hush-0')
    const squatted = attackerDir(join(shared, 'hush-0'), before.runtimeDir.split('/').pop() ?? '')
    const fake = await startFake(join(squatted, 'agent.sock'), t.home)

    const paths = resolvePaths({...process.env, ...t.env})
    expect(dirname(paths.runtimeDir)).toBe(join(shared, 'hush-0.1'))
    const sdkFirst = await sdkListSecrets(t.env)
    expect(received(fake.record)).toBe('')
    expect(sdkFirst.stdout, sdkFirst.all).toBe(
      'error daemon_unreachable The hush agent is not running: start it with `hush daemon start`.',
    )

    const list = await t.hush(['secrets', 'list'])
    expect(list.exitCode, list.stderr).toBe(0)
    expect(list.stdout).toContain('No secrets yet')
    const status = await t.json<{socket: string}>(['daemon', 'status'])
    expect(status.socket).toBe(paths.socket)
    expect(statSync(join(shared, 'hush-0.1')).mode & 0o777).toBe(0o700)
    const sdk = await sdkListSecrets(t.env)
    expect(sdk.stdout, sdk.all).toBe('ok []')
    expect(received(fake.record)).toBe('')
    const stop = await t.hush(['daemon', 'stop'])
    expect(stop.exitCode, stop.stderr).toBe(0)
  })
})

describe('userDir', () => {
  it('userDir skips every name another user holds, and says what to do when all are taken', async () => {
    const base = mkdtempSync(join(tmpdir(), 'hush-userdir-'))
    dirs.push(base)
    chmodSync(base, 0o1777)
    const python = async () =>
      (
        await execa(
          PYTHON,
          ['-c', 'import sys; from hush._paths import user_dir; print(user_dir(sys.argv[1]))', base],
          {
            env: {...(process.env as Record<string, string>), PYTHONPATH: join(ROOT, 'python')},
            reject: false,
            all: true,
          },
        )
      ).all
    expect(userDir(base)).toBe(join(base, 'hush-0'))
    attackerDir(base, 'hush-0')
    // A file or a symlink of the other user's holds the name just as well.
    writeFileSync(join(base, 'hush-0.1'), '')
    lchownSync(join(base, 'hush-0.1'), attackerUid, attackerGid)
    expect(userDir(base)).toBe(join(base, 'hush-0.2'))
    expect(await python()).toBe(join(base, 'hush-0.2'))
    // A name of the user's own is used (and checked when it is made private), wherever it is.
    mkdirSync(join(base, 'hush-0.5'), {mode: 0o700})
    for (let n = 2; n < 5; n++) attackerDir(base, `hush-0.${n}`)
    expect(userDir(base)).toBe(join(base, 'hush-0.5'))
    rmSync(join(base, 'hush-0.5'), {recursive: true})
    for (let n = 5; n <= 63; n++) attackerDir(base, `hush-0.${n}`)
    const message = `Other users hold every name hush tries in ${base} (hush-0 to hush-0.63): set XDG_RUNTIME_DIR to a private directory of yours (mode 0700).`
    expect(() => userDir(base)).toThrow(message)
    expect(await python()).toContain(message)
  })
})

describe('an agent that accepts and does not answer', () => {
  it('a stopped agent (SIGSTOP) is reported within seconds, naming its pid, by the CLI and the SDK', async () => {
    const t = home({XDG_RUNTIME_DIR: privateRuntime()})
    await t.ok(['daemon', 'start'])
    const pid = t.agentPid() ?? 0
    expect(pid).toBeGreaterThan(0)
    process.kill(pid, 'SIGSTOP')
    try {
      const started = Date.now()
      const list = await t.hush(['secrets', 'list'])
      const seconds = (Date.now() - started) / 1000
      expect(list.exitCode).toBe(1)
      expect(list.stderr.trim().split('\n')).toEqual([
        `hush: The hush agent (pid ${pid}) on ${t.socket} accepted the connection but did not answer within 3 s; it is stopped: resume it (\`kill -CONT ${pid}\`) or end it (\`kill ${pid}\`), then try again.`,
      ])
      expect(seconds).toBeLessThan(15)
      const sdk = await sdkListSecrets(t.env)
      expect(sdk.stdout, sdk.all).toBe(
        `error daemon_unreachable The hush agent (pid ${pid}) on ${t.socket} accepted the connection but did not answer within 3 s; it is stopped: resume it (\`kill -CONT ${pid}\`) or end it (\`kill ${pid}\`), then try again.`,
      )
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    await t.ok(['secrets', 'list'])
  })

  it('a socket that accepts and never answers is reported within seconds, naming the pid', async () => {
    const t = home({XDG_RUNTIME_DIR: privateRuntime()})
    const paths = resolvePaths({...process.env, ...t.env})
    mkdirSync(paths.runtimeDir, {recursive: true, mode: 0o700})
    // A process of the user's own that accepts and never answers (the fake agent, silent).
    const silent = execa(
      process.execPath,
      [FAKE, paths.socket, t.home, VERSION, join(lab, 'silent-received'), 'silent'],
      {
        reject: false,
        stdin: 'ignore',
      },
    )
    fakes.push(silent)
    await waitFor(() => existsSync(join(lab, 'silent-received.ready')), 10_000)
    const pid = silent.pid ?? 0
    const started = Date.now()
    const list = await t.hush(['secrets', 'list'])
    expect(list.exitCode).toBe(1)
    expect(list.stderr.trim().split('\n')).toEqual([
      `hush: The hush agent (pid ${pid}) on ${paths.socket} accepted the connection but did not answer within 3 s; it is stuck: end it (\`kill ${pid}\`, or \`kill -9 ${pid}\`), then try again.`,
    ])
    expect((Date.now() - started) / 1000).toBeLessThan(15)
    silent.kill('SIGKILL')
  })
})
