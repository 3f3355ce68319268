// Shared test tools: a fresh store per test, the real CLI run as a user would run it, and raw
// requests to the agent over its socket.
import {createHash} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {Client} from 'undici'
import {afterAll, beforeAll, expect, onTestFinished} from 'vitest'
import {resolvePaths} from '../../src/config/paths.js'
import {storeId} from './docker.js'
import {removeCachedEntries} from './kernel-keyring.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
}

export interface TestHome {
  home: string
  env: Record<string, string>
  /** Runs `hush ...args` against this store. */
  hush(
    args: string[],
    options?: {input?: string | Buffer; env?: Record<string, string | undefined>},
  ): Promise<RunResult>
  /** Runs `hush ...args` and expects exit code 0 (the failure message shows stderr). */
  ok(args: string[], options?: {input?: string | Buffer; env?: Record<string, string | undefined>}): Promise<RunResult>
  /** Runs `hush ...args --json` and parses stdout. */
  json<T = unknown>(
    args: string[],
    options?: {input?: string | Buffer; env?: Record<string, string | undefined>},
  ): Promise<T>
  socket: string
  agentPid(): number | undefined
  /** Stops the agent (if any) and removes the store. */
  cleanup(): Promise<void>
}

export function makeHome(extraEnv: Record<string, string> = {}): TestHome {
  const home = mkdtempSync(join(tmpdir(), 'hush-test-'))
  const env = {HUSH_HOME: home, HUSH_IDLE_TIMEOUT: '120', ...extraEnv}
  const paths = resolvePaths({...process.env, ...env})
  const hush: TestHome['hush'] = async (args, options = {}) => {
    const result = await execa(process.execPath, [BIN, ...args], {
      env: {...env, ...options.env},
      input: options.input,
      reject: false,
      stdin: options.input === undefined ? 'ignore' : undefined,
    })
    return {stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1}
  }
  const agentPid = () => {
    try {
      return Number(readFileSync(paths.pidFile, 'utf8').trim()) || undefined
    } catch {
      return undefined
    }
  }
  return {
    home,
    env,
    socket: paths.socket,
    hush,
    agentPid,
    async ok(args, options = {}) {
      const result = await hush(args, options)
      expect(result.exitCode, `hush ${args.join(' ')}: ${result.stderr}`).toBe(0)
      return result
    },
    async json<T>(args: string[], options = {}) {
      const result = await hush([...args, '--json'], options)
      if (result.exitCode !== 0)
        throw new Error(`hush ${args.join(' ')} exited ${result.exitCode}: ${result.stdout}${result.stderr}`)
      return JSON.parse(result.stdout) as T
    },
    async cleanup() {
      await stopProcess(agentPid())
      // A passphrase store's unlock cache lives in the kernel keyring, not in the home: drop it too.
      const id = await storeId({home}).catch(() => undefined)
      if (id) await removeCachedEntries(id)
      rmSync(home, {recursive: true, force: true})
      rmSync(paths.runtimeDir, {recursive: true, force: true})
    },
  }
}

/** For the test that calls it: a fresh store (makeHome), stopped and removed when that test ends. */
export function homeForTest(extraEnv: Record<string, string> = {}): TestHome {
  const t = makeHome(extraEnv)
  onTestFinished(() => t.cleanup())
  return t
}

/** For the test that calls it: a new temporary directory, removed when that test ends. */
export function dirForTest(prefix = 'hush-test-dir-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

/** True while the process runs; a zombie waiting to be reaped counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`condition not met within ${timeoutMs} ms`)
}

export interface RawResponse {
  status: number
  text: string
  /** The body as received (a streaming route's frames are binary). */
  bytes: Buffer
  json: unknown
}

/** One HTTP request straight to the agent's socket, as any local program could send it. */
export async function rawRequest(
  socket: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const client = new Client('http://hush.local', {socketPath: socket})
  try {
    const response = await client.request({method: method as 'GET', path, body, headers})
    const bytes = Buffer.from(await response.body.arrayBuffer())
    const text = bytes.toString('utf8')
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return {status: response.statusCode, text, bytes, json}
  } finally {
    await client.close()
  }
}

/** Sends SIGTERM to `pid` (if any) and waits until it has exited. */
export async function stopProcess(pid: number | undefined): Promise<void> {
  if (!pid) return
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  await waitFor(() => !isAlive(pid), 10_000)
}

/** Every regular file below `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Runs `hush ...args` on a pseudo-terminal (util-linux `script`), answering each prompt as it appears. */
export async function onTerminal(t: TestHome, args: string[], answers: Array<[prompt: string, answer: string]>) {
  const child = execa('script', ['-qfec', [process.execPath, BIN, ...args].join(' '), '/dev/null'], {
    env: t.env,
    reject: false,
    stdin: 'pipe',
    all: true,
    timeout: 60_000,
  })
  let seen = ''
  let from = 0
  let next = 0
  child.all?.on('data', (chunk: Buffer) => {
    seen += chunk.toString()
    while (next < answers.length) {
      const at = seen.indexOf(answers[next][0], from)
      if (at < 0) break
      child.stdin?.write(`${answers[next][1]}\n`)
      from = at + answers[next][0].length
      next++
    }
  })
  const result = await child
  return {output: result.all ?? '', exitCode: result.exitCode}
}

/**
 * For the test file that calls it: every CLI it runs (and every agent those start) has no D-Bus
 * session bus and no gnome-keyring control socket, as on a headless machine. Returns what they
 * were, for a test that needs the real keyring again.
 */
export function withoutSessionBus(): {bus: string | undefined; control: string | undefined} {
  const saved = {bus: process.env.DBUS_SESSION_BUS_ADDRESS, control: process.env.GNOME_KEYRING_CONTROL}
  beforeAll(() => {
    delete process.env.DBUS_SESSION_BUS_ADDRESS
    delete process.env.GNOME_KEYRING_CONTROL
  })
  afterAll(() => {
    if (saved.bus !== undefined) process.env.DBUS_SESSION_BUS_ADDRESS = saved.bus
    if (saved.control !== undefined) process.env.GNOME_KEYRING_CONTROL = saved.control
  })
  return saved
}
