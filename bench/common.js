// Shared by the benchmarks: a throwaway store with a warm agent, secrets made with raw sealed
// requests (as fast as the socket takes them), timing of whole processes and medians, and the one
// row shape every benchmark returns (see run.js). Needs `npm run build`.
import {spawn, spawnSync} from 'node:child_process'
import {closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {routes} from '../dist/api/contract.js'
import {AgentClient} from '../dist/client/client.js'
import {envFileDir, resolvePaths} from '../dist/config/paths.js'
import {loadSodium} from '../dist/crypto/sodium.js'
import {boxValue} from '../dist/crypto/transport.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')
export const BINARY = join(ROOT, 'dist', 'hush')

/** How to run hush: the bundle through node (bin/run.js), the unbundled files, or the executable. */
export const VARIANTS = {
  bundle: {label: 'node bin/run.js', file: process.execPath, args: [BIN], env: {}},
  unbundled: {
    label: 'node bin/run.js (HUSH_UNBUNDLED=1)',
    file: process.execPath,
    args: [BIN],
    env: {HUSH_UNBUNDLED: '1'},
  },
  binary: {label: 'dist/hush', file: BINARY, args: [], env: {}},
}

export const binaryBuilt = () => existsSync(BINARY)

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Wall time of one run of a whole process, in ms. */
export function timeRun(file, args, env = {}) {
  const started = performance.now()
  const result = spawnSync(file, args, {env: {...process.env, ...env}, stdio: ['ignore', 'ignore', 'pipe']})
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return ms
}

/** Medians of `runs` alternated runs of a baseline and of hush, so machine noise hits both alike. */
export function compareRuns(baseline, hush, runs) {
  timeRun(...baseline)
  timeRun(...hush)
  const a = []
  const b = []
  for (let i = 0; i < runs; i++) {
    a.push(timeRun(...baseline))
    b.push(timeRun(...hush))
  }
  return {baselineMs: median(a), hushMs: median(b)}
}

/**
 * A row measured against a baseline in the same run: both medians and the ratio; with `aim`, the
 * largest ratio the issue allows and whether it was met.
 */
export function row(label, baseline, {baselineMs, hushMs}, aim) {
  const ratio = hushMs / baselineMs
  return {
    label,
    baseline,
    baselineMs: round(baselineMs),
    hushMs: round(hushMs),
    ratio: round(ratio, 2),
    ...(aim === undefined ? {} : {aim: `<= ${aim}x`, ok: ratio <= aim}),
  }
}

/** A row that is one figure with its aim (writes per second, memory, ...). */
export function valueRow(label, value, unit, aim, ok) {
  return {label, value: round(value), unit, aim, ok}
}

export const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits

/** A throwaway store (HUSH_HOME) with its agent run by `variant`; `stop()` ends both. */
export async function startStore(variant = VARIANTS.bundle, extraEnv = {}) {
  const home = mkdtempSync(join(tmpdir(), 'hush-bench-'))
  const env = {...process.env, ...variant.env, HUSH_HOME: home, HUSH_IDLE_TIMEOUT: '600', ...extraEnv}
  const paths = resolvePaths(env)
  const started = performance.now()
  const agent = await spawnAgent(variant, env, paths)
  const client = new AgentClient(paths.socket)
  const hello = await waitForHello(client).finally(() => client.close())
  const readyMs = performance.now() - started
  /**
   * One call on a connection of its own: the benchmarks block the event loop (spawnSync), so a kept
   * connection the agent closed meanwhile would still look open and fail with EPIPE.
   */
  const call = async (route, input) => {
    const fresh = new AgentClient(paths.socket)
    try {
      return await fresh.call(route, input)
    } finally {
      await fresh.close()
    }
  }
  let current = agent
  const store = {
    home,
    env,
    paths,
    call,
    hello,
    readyMs,
    pid: agent.pid,
    /** Stops the agent and starts a new one on the same store: ms from the spawn to the first answered hello. */
    async restart() {
      try {
        await call(routes.shutdown, {})
      } catch {
        // already gone
      }
      await waitForExit(current)
      const began = performance.now()
      current = await spawnAgent(variant, env, paths)
      const fresh = new AgentClient(paths.socket)
      store.hello = await waitForHello(fresh).finally(() => fresh.close())
      store.pid = current.pid
      return performance.now() - began
    },
    async stop() {
      try {
        await call(routes.shutdown, {})
      } catch {
        // already gone
      }
      await waitForExit(current)
      rmSync(home, {recursive: true, force: true})
      try {
        rmSync(envFileDir(paths), {recursive: true, force: true})
      } catch {
        // no tmpfs: no env-file dir was made
      }
    },
  }
  return store
}

function spawnAgent(variant, env, paths) {
  const out = openSync(join(paths.home, 'agent.log'), 'a', 0o600)
  const child = spawn(variant.file, [...variant.args, 'daemon', 'run'], {env, stdio: ['ignore', out, out]})
  closeSync(out)
  child.exitPromise = new Promise((resolve) => child.once('exit', resolve))
  return child
}

async function waitForExit(child) {
  await Promise.race([child.exitPromise, sleep(10_000)])
}

export async function waitForHello(client, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await client.call(routes.hello, {})
    } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(2)
    }
  }
}

/** Creates `count` secrets (one key each) with sealed raw requests over `connections` connections. */
export async function fillSecrets(store, count, {connections = 16, prefix = 'bench'} = {}) {
  const sodium = await loadSodium()
  const value = new TextEncoder().encode('x'.repeat(32))
  let next = 0
  const workers = Array.from({length: connections}, async () => {
    const client = new AgentClient(store.paths.socket)
    try {
      for (let i = next++; i < count; i = next++) {
        const sealed = boxValue(sodium, store.hello.publicKey, value)
        await client.call(routes.createSecret, {name: `${prefix}-${i}`, values: {TOKEN: sealed}})
      }
    } finally {
      await client.close()
    }
  })
  await Promise.all(workers)
}

/** Resident memory of a process, in MiB. */
export function rssMiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : Number.NaN
}
