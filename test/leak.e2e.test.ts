// Values never leak: after a scenario with sentinel values, no byte of a sentinel is in any file of
// the store or the runtime dir, in the agent's log, in any route's response, or in a request body.
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {type RouteName, routes} from '../src/api/contract.js'
import {ensureRuntimeDir, resolvePaths} from '../src/config/paths.js'
import {loadSodium} from '../src/crypto/sodium.js'
import {newTransportKeys, openSealedValue} from '../src/crypto/transport.js'
import {VERSION} from '../src/version.js'
import {hello, sealAll} from './agent-tools.js'
import {isAlive, makeHome, rawRequest, type TestHome, waitFor} from './helpers.js'

const run = Math.random().toString(36).slice(2, 10)
const SENTINELS = {
  arg: `sentinel-arg-${run}-7f3a`,
  stdin: `sentinel-stdin-${run}-91bc`,
  env: `sentinel-env-${run}-44de`,
  dotenv: `sentinel-dotenv-${run}-0a12`,
  replaced: `sentinel-replaced-${run}-c0de`,
  rotated: `sentinel-rotated-${run}-beef`,
  raw: `sentinel-raw-${run}-f00d`,
}
const ALL = Object.values(SENTINELS)

/** Each sentinel as raw UTF-8 bytes, plus its base64 and hex forms (an encoded plaintext is still a leak). */
function needles(): Array<{label: string; bytes: Buffer}> {
  return ALL.flatMap((value) => [
    {label: value, bytes: Buffer.from(value)},
    {label: `base64(${value})`, bytes: Buffer.from(Buffer.from(value).toString('base64').slice(0, 20))},
    {label: `hex(${value})`, bytes: Buffer.from(Buffer.from(value).toString('hex'))},
  ])
}

function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

/** Every file under the dirs whose raw bytes contain a sentinel, as `file: sentinel`. */
function leaksIn(dirs: string[]): string[] {
  const found: string[] = []
  for (const dir of dirs) {
    for (const file of filesUnder(dir)) {
      const bytes = readFileSync(file)
      for (const needle of needles()) if (bytes.includes(needle.bytes)) found.push(`${file}: ${needle.label}`)
    }
  }
  return found
}

function containsSentinel(text: string): string | undefined {
  return ALL.find((value) => text.includes(value) || text.includes(Buffer.from(value).toString('base64').slice(0, 20)))
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

describe('leaks', () => {
  it('keeps sentinel values out of every file, the log and every route response', async () => {
    const t: TestHome = makeHome()
    cleanups.push(() => t.cleanup())
    const outside = mkdtempSync(join(tmpdir(), 'hush-leak-input-'))
    cleanups.push(() => rmSync(outside, {recursive: true, force: true}))
    const dotenv = join(outside, '.env')
    writeFileSync(dotenv, `# sentinel file\nDOTENV_KEY="${SENTINELS.dotenv}"\nOTHER=plain\n`)
    expect(leaksIn([outside]), 'the scanner finds a planted sentinel').toEqual([`${dotenv}: ${SENTINELS.dotenv}`])

    const ok = async (args: string[], options: {input?: string; env?: Record<string, string>} = {}) => {
      const result = await t.hush(args, options)
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0)
      for (const text of [result.stdout, result.stderr]) expect(containsSentinel(text)).toBeUndefined()
      return result
    }
    await ok(['secrets', 'new', 'leaky', `ARG_KEY=${SENTINELS.arg}`, '--description', 'leak test'])
    await ok(['secrets', 'new', 'stdin', '--from-stdin', 'STDIN_KEY'], {input: `${SENTINELS.stdin}\n`})
    await ok(['secrets', 'new', 'env', '--from-env', 'ENV_KEY'], {env: {ENV_KEY: SENTINELS.env}})
    await ok(['secrets', 'new', 'dotenv', '--from-dotenv', dotenv])
    await ok(['secrets', 'new', 'leaky', `ARG_KEY=${SENTINELS.replaced}`, `SECOND=${SENTINELS.arg}`])
    await ok(['secrets', 'rotate', 'leaky', '--from-stdin', 'ARG_KEY', '--json'], {input: SENTINELS.rotated})
    await ok(['secrets', 'rotate', 'env', '--from-env', 'ENV_KEY'], {env: {ENV_KEY: SENTINELS.rotated}})
    await ok(['secrets', 'delete', 'dotenv'])
    await ok(['secrets', 'list', '--include-deleted'])
    await ok(['secrets', 'list', '--json', '--include-deleted'])
    await ok(['audit'])
    await ok(['audit', '--json'])
    await ok(['daemon', 'status', '--json'])

    // Every route of the contract, raw over the socket: GETs first, then POSTs, DELETE and shutdown last.
    const {publicKey} = await hello(t.socket)
    const order = (name: RouteName) =>
      name === 'shutdown' ? 3 : routes[name].method === 'DELETE' ? 2 : routes[name].method === 'POST' ? 1 : 0
    const names = (Object.keys(routes) as RouteName[]).sort((a, b) => order(a) - order(b))
    const called: string[] = []
    for (const name of names) {
      const route = routes[name]
      const path = route.path.replace(/:name/g, 'leaky').replace(/:[A-Za-z]+/g, 'x')
      for (const suffix of route.method === 'GET' ? ['', '?includeDeleted=1', '?limit=100000'] : ['']) {
        const body =
          route.method === 'POST'
            ? JSON.stringify({name: 'leaky', values: await sealAll(publicKey, {RAW_KEY: SENTINELS.raw})})
            : undefined
        const response = await rawRequest(
          t.socket,
          route.method,
          `${path}${suffix}`,
          body,
          body ? {'content-type': 'application/json'} : {},
        )
        called.push(`${route.method} ${path}${suffix} -> ${response.status}`)
        expect(containsSentinel(response.text), `${route.method} ${path}${suffix}`).toBeUndefined()
      }
    }
    expect(called.length).toBeGreaterThanOrEqual(names.length)
    expect(
      called.every((line) => /-> 200$/.test(line)),
      called.join('\n'),
    ).toBe(true)

    // While the agent ran, and again after it stopped (WAL checkpointed, log flushed).
    const paths = resolvePaths({...process.env, ...t.env})
    expect(readdirSync(t.home)).toEqual(expect.arrayContaining(['store.db', 'agent.log']))
    // Every file of the store and the runtime dir is its owner's alone.
    for (const file of [...filesUnder(t.home), ...filesUnder(paths.runtimeDir)]) {
      expect((statSync(file).mode & 0o077).toString(8), file).toBe('0')
    }
    const pid = t.agentPid()!
    await waitFor(() => !isAlive(pid), 15_000)
    expect(leaksIn([t.home, paths.runtimeDir])).toEqual([])
    expect(readFileSync(paths.log, 'utf8')).toContain('listening on')

    // Restart, read everything again, stop with SIGKILL so the WAL and shm stay as they are.
    await ok(['secrets', 'list', '--json'])
    await ok(['secrets', 'rotate', 'stdin', 'EXTRA=1'])
    const walFiles = readdirSync(t.home).filter((file) => file.startsWith('store.db-'))
    expect(walFiles.sort()).toEqual(['store.db-shm', 'store.db-wal'])
    expect(statSync(join(t.home, 'store.db-wal')).size).toBeGreaterThan(0)
    const second = t.agentPid()!
    process.kill(second, 'SIGKILL')
    await waitFor(() => !isAlive(second), 10_000)
    expect(leaksIn([t.home, paths.runtimeDir])).toEqual([])
  })

  it('never puts plaintext in a request body: a recording fake agent gets sealed values only', async () => {
    const t = makeHome()
    cleanups.push(() => t.cleanup())
    const home = t.home
    const paths = resolvePaths({...process.env, ...t.env})
    ensureRuntimeDir(paths)
    const sodium = await loadSodium()
    const keys = newTransportKeys(sodium)
    const bodies: Array<{method: string; url: string; body: string}> = []
    const secret = {
      name: 'x',
      keys: [],
      description: '',
      version: 1,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      usedBy: [],
    }
    const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
      bodies.push({method: req.method ?? '', url: req.url ?? '', body})
      let out: unknown = {error: {code: 'not_found', message: 'fake'}}
      if (req.url === '/v1/hello') {
        out = {
          name: 'hush',
          version: VERSION,
          protocol: 1,
          pid: process.pid,
          publicKey: sodium.to_base64(keys.publicKey, sodium.base64_variants.ORIGINAL),
          home,
          socket: paths.socket,
          keyring: 'os',
          keyringAccount: null,
          sealed: false,
          startedAt: secret.createdAt,
        }
      } else if (req.url === '/v1/secrets') out = {secret, replaced: false, staleDeployments: []}
      else if (req.url?.endsWith('/rotate')) out = {secret, changedKeys: [], addedKeys: [], staleDeployments: []}
      const text = JSON.stringify(out)
      res.writeHead(out && typeof out === 'object' && 'error' in out ? 404 : 200, {'content-type': 'application/json'})
      res.end(text)
    }
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')))
    })
    await new Promise<void>((resolve) => server.listen(paths.socket, resolve))
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        }),
    )
    const outside = mkdtempSync(join(tmpdir(), 'hush-leak-input-'))
    cleanups.push(() => rmSync(outside, {recursive: true, force: true}))
    writeFileSync(join(outside, '.env'), `DOTENV_KEY=${SENTINELS.dotenv}\n`)
    const run = (args: string[], options: {input?: string; env?: Record<string, string>} = {}) => t.hush(args, options)

    const results = [
      await run(['secrets', 'new', 'a', `ARG_KEY=${SENTINELS.arg}`]),
      await run(['secrets', 'new', 'b', '--from-stdin', 'STDIN_KEY'], {input: SENTINELS.stdin}),
      await run(['secrets', 'new', 'c', '--from-env', 'ENV_KEY'], {env: {ENV_KEY: SENTINELS.env}}),
      await run(['secrets', 'new', 'd', '--from-dotenv', join(outside, '.env')]),
      await run(['secrets', 'rotate', 'a', '--from-stdin', 'ARG_KEY'], {input: SENTINELS.rotated}),
    ]
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0)

    const writes = bodies.filter((entry) => entry.method === 'POST')
    expect(writes.map((entry) => entry.url)).toEqual([
      '/v1/secrets',
      '/v1/secrets',
      '/v1/secrets',
      '/v1/secrets',
      '/v1/secrets/a/rotate',
    ])
    for (const entry of bodies) {
      expect(containsSentinel(entry.body), `${entry.method} ${entry.url}`).toBeUndefined()
      expect(containsSentinel(entry.url)).toBeUndefined()
    }
    // The values did travel: sealed to the agent's key, they open to exactly the sentinels.
    const opened = writes.flatMap((entry) =>
      Object.values((JSON.parse(entry.body) as {values: Record<string, string>}).values).map((sealed) =>
        Buffer.from(openSealedValue(sodium, keys, sealed) ?? []).toString('utf8'),
      ),
    )
    expect(opened).toEqual([SENTINELS.arg, SENTINELS.stdin, SENTINELS.env, SENTINELS.dotenv, SENTINELS.rotated])
  })
})
