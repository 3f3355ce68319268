#!/usr/bin/env node
// hush's benchmarks (not tests): each one measures hush and a baseline side by side in this one run
// and prints medians and the ratio. Run `npm run bench`, or `npm run bench -- NAME...` for some.
//
// hush needs the OS keyring, so this script re-runs itself inside scripts/with-keyring.sh (a private
// D-Bus session with an unlocked gnome-keyring, as `npm test` uses) unless it already runs in one.
// Add a benchmark by writing an async function that returns rows and listing it in `benchmarks`.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.js')

if (!process.env.HUSH_KEYRING_SESSION) {
  const result = spawnSync(
    'bash',
    [
      join(ROOT, 'scripts', 'with-keyring.sh'),
      process.execPath,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    {stdio: 'inherit'},
  )
  process.exit(result.status ?? 1)
}

// ---------------------------------------------------------------------------------------------
// Tools

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const ms = (value) => `${value.toFixed(1)} ms`

/** Wall time of one process run, in milliseconds; throws when it fails. */
function timeProcess(file, args, env) {
  const start = process.hrtime.bigint()
  const result = spawnSync(file, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${[file, ...args].join(' ')} failed: ${result.stderr}`)
  return elapsed
}

/** Runs both a few times to warm caches, then alternates them so load drifts hit both alike. */
function sideBySide(runs, subject, baseline) {
  for (let i = 0; i < 2; i++) {
    subject()
    baseline()
  }
  const a = []
  const b = []
  for (let i = 0; i < runs; i++) {
    a.push(subject())
    b.push(baseline())
  }
  return {subject: median(a), baseline: median(b)}
}

/** A throwaway store with its agent, removed (agent stopped) by cleanup(). */
async function tempStore() {
  const home = mkdtempSync(join(tmpdir(), 'hush-bench-'))
  const env = {...process.env, HUSH_HOME: home, HUSH_IDLE_TIMEOUT: '600'}
  const hush = (...args) => {
    const result = spawnSync(process.execPath, [BIN, ...args], {env, encoding: 'utf8'})
    if (result.status !== 0) throw new Error(`hush ${args.join(' ')} failed: ${result.stderr || result.stdout}`)
    return result.stdout
  }
  const hello = JSON.parse(hush('daemon', 'start', '--json'))
  const {Client} = await import('undici')
  const client = new Client('http://hush.local', {socketPath: hello.socket, pipelining: 1})
  const sodium = (await import('libsodium-wrappers-sumo')).default
  await sodium.ready
  const publicKey = sodium.from_base64(hello.publicKey, sodium.base64_variants.ORIGINAL)
  const seal = (text) =>
    sodium.to_base64(sodium.crypto_box_seal(new TextEncoder().encode(text), publicKey), sodium.base64_variants.ORIGINAL)

  async function request(method, path, body) {
    const response = await client.request({
      method,
      path,
      body,
      headers: body ? {'content-type': 'application/json'} : {},
    })
    const text = await response.body.text()
    if (response.statusCode !== 200) throw new Error(`${method} ${path}: HTTP ${response.statusCode} ${text}`)
    return text
  }

  /** Creates `count` secrets with raw sealed requests, `parallel` at a time. */
  async function createSecrets(count, parallel = 8) {
    let next = 0
    const worker = async () => {
      while (next < count) {
        const i = next++
        const name = `bench-${String(i).padStart(5, '0')}`
        const values = {API_KEY: seal(`value-${i}-${'x'.repeat(32)}`), API_URL: seal(`https://example.test/${i}`)}
        await request('POST', '/v1/secrets', JSON.stringify({name, description: 'benchmark secret', values}))
      }
    }
    await Promise.all(Array.from({length: parallel}, worker))
  }

  return {
    env,
    hush,
    request,
    createSecrets,
    async cleanup() {
      await client.close()
      try {
        hush('daemon', 'stop')
      } finally {
        rmSync(home, {recursive: true, force: true})
      }
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Benchmarks: each returns rows {what, subject, baseline, ratio, note}

/** `hush secrets list` with 100 secrets and a warm agent, against bare `node -e 0`. */
async function listVsNode() {
  const store = await tempStore()
  try {
    await store.createSecrets(100)
    const listed = JSON.parse(store.hush('secrets', 'list', '--json'))
    if (listed.length !== 100) throw new Error(`expected 100 secrets, listed ${listed.length}`)
    const runs = 20
    const result = sideBySide(
      runs,
      () => timeProcess(process.execPath, [BIN, 'secrets', 'list'], store.env),
      () => timeProcess(process.execPath, ['-e', '0'], store.env),
    )
    return [
      {
        what: `hush secrets list, 100 secrets, warm agent (median of ${runs})`,
        subject: result.subject,
        baselineWhat: 'node -e 0',
        baseline: result.baseline,
        note: 'aim: at most 1.5x',
      },
    ]
  } finally {
    await store.cleanup()
  }
}

/** The agent's own time to answer GET /v1/secrets with 10,000 secrets, against GET /v1/hello. */
async function agentList10k() {
  const store = await tempStore()
  try {
    const count = 10_000
    const start = Date.now()
    await store.createSecrets(count)
    const filled = (Date.now() - start) / 1000
    const body = await store.request('GET', '/v1/secrets')
    const listed = JSON.parse(body)
    if (listed.length !== count) throw new Error(`expected ${count} secrets, listed ${listed.length}`)
    const timeRequest = async (path) => {
      const t0 = process.hrtime.bigint()
      await store.request('GET', path)
      return Number(process.hrtime.bigint() - t0) / 1e6
    }
    for (let i = 0; i < 2; i++) await timeRequest('/v1/secrets')
    const list = []
    const hello = []
    const runs = 7
    for (let i = 0; i < runs; i++) {
      list.push(await timeRequest('/v1/secrets'))
      hello.push(await timeRequest('/v1/hello'))
    }
    return [
      {
        what: `GET /v1/secrets, ${count} secrets, over the socket (median of ${runs})`,
        subject: median(list),
        baselineWhat: 'GET /v1/hello',
        baseline: median(hello),
        note: `${(Buffer.byteLength(body) / 1024 / 1024).toFixed(1)} MiB of JSON; store filled in ${filled.toFixed(0)} s`,
      },
    ]
  } finally {
    await store.cleanup()
  }
}

const benchmarks = {
  'list-vs-node': listVsNode,
  'agent-list-10k': agentList10k,
}

// ---------------------------------------------------------------------------------------------

function ensureBuilt() {
  if (existsSync(join(ROOT, 'dist', 'index.js')) && existsSync(join(ROOT, 'oclif.manifest.json'))) return
  const build = spawnSync('npm', ['run', '--silent', 'build'], {cwd: ROOT, stdio: 'inherit'})
  if (build.status !== 0) process.exit(build.status ?? 1)
}

async function main() {
  const wanted = process.argv.slice(2)
  const unknown = wanted.filter((name) => !(name in benchmarks))
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`)
    process.exit(2)
  }
  ensureBuilt()
  const {version} = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  console.log(`hush ${version} benchmarks - node ${process.version}, ${new Date().toISOString()}`)
  for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
    const rows = await benchmarks[name]()
    for (const row of rows) {
      console.log(`\n[${name}] ${row.what}`)
      console.log(`  hush:     ${ms(row.subject)}`)
      console.log(`  baseline: ${ms(row.baseline)}  (${row.baselineWhat})`)
      console.log(`  ratio:    ${(row.subject / row.baseline).toFixed(2)}x${row.note ? `  - ${row.note}` : ''}`)
    }
  }
}

await main()
