// Values never leak: after a scenario with sentinel values, no byte of a sentinel is in any file of
// the store, the runtime dir or the env-file dir, in the agent's log, in any route's response (a
// real deployment's logs included), or in a request body. Every route of the contract is called
// with a valid request, in an OS keyring store and in a passphrase store.
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import {
  type KeyringMode,
  type RouteInput,
  type RouteName,
  type Routes,
  routes,
  type SubmitOutput,
} from '../../../src/api/contract.js'
import {decodeFrames, FRAME_STDERR, FRAME_STDOUT} from '../../../src/api/frames.js'
import {requestFor} from '../../../src/client/client.js'
import {ensureRuntimeDir, envFileDir, resolvePaths} from '../../../src/config/paths.js'
import {loadSodium} from '../../../src/crypto/sodium.js'
import {newTransportKeys, openBox} from '../../../src/crypto/transport.js'
import {MASK} from '../../../src/daemon/docker/redact.js'
import {SCHEMA_VERSION} from '../../../src/daemon/store/migrations.js'
import {VERSION} from '../../../src/version.js'
import {hello, sealAll} from '../../support/agent-tools.js'
import {dockerAvailable, removeEnvFileDir, removeStoreContainers, storeId, TEST_IMAGE} from '../../support/docker.js'
import {
  filesUnder,
  isAlive,
  makeHome,
  type RawResponse,
  rawRequest,
  type TestHome,
  waitFor,
} from '../../support/helpers.js'
import {cachedPayload} from '../../support/kernel-keyring.js'
import {watchProcesses} from '../../support/leak-tools.js'

const docker = await dockerAvailable(import.meta.url)

const run = Math.random().toString(36).slice(2, 10)
const SENTINELS = {
  arg: `sentinel-arg-${run}-7f3a`,
  stdin: `sentinel-stdin-${run}-91bc`,
  env: `sentinel-env-${run}-44de`,
  dotenv: `sentinel-dotenv-${run}-0a12`,
  replaced: `sentinel-replaced-${run}-c0de`,
  rotated: `sentinel-rotated-${run}-beef`,
  raw: `sentinel-raw-${run}-f00d`,
  rawSecond: `sentinel-raw2-${run}-d00d`,
  rawRotated: `sentinel-rawrot-${run}-abba`,
  passphrase: `sentinel-passphrase-${run}-5eed`,
}
const ALL = Object.values(SENTINELS)

/** Each sentinel (and each of `keys`, e.g. a master key) as raw bytes, plus its base64 and hex forms (an encoded plaintext is still a leak). */
function needles(keys: Buffer[] = []): Array<{label: string; bytes: Buffer}> {
  const secrets = [
    ...ALL.map((value) => ({label: value, bytes: Buffer.from(value)})),
    ...keys.map((bytes, i) => ({label: `master key ${i}`, bytes})),
  ]
  return secrets.flatMap(({label, bytes}) => [
    {label, bytes},
    {label: `base64(${label})`, bytes: Buffer.from(bytes.toString('base64').slice(0, 20))},
    {label: `hex(${label})`, bytes: Buffer.from(bytes.toString('hex'))},
  ])
}

/** Every file under the dirs whose raw bytes contain a sentinel (or one of `keys`), as `file: sentinel`. */
function leaksIn(dirs: string[], keys: Buffer[] = []): string[] {
  const found: string[] = []
  for (const dir of dirs) {
    for (const file of filesUnder(dir)) {
      const bytes = readFileSync(file)
      for (const needle of needles(keys)) if (bytes.includes(needle.bytes)) found.push(`${file}: ${needle.label}`)
    }
  }
  return found
}

/**
 * Which of the passphrase and `keys` (master keys) appear in `texts`, raw, base64 or hex. Not the
 * secret values: they reach the containers' environments by design (the threat model).
 */
function leaksInTexts(texts: Iterable<string>, keys: Buffer[]): string[] {
  const secrets = [
    {label: 'passphrase', bytes: Buffer.from(SENTINELS.passphrase)},
    ...keys.map((bytes, i) => ({label: `master key ${i}`, bytes})),
  ]
  const found = new Set<string>()
  for (const text of texts) {
    const bytes = Buffer.from(text, 'latin1')
    for (const {label, bytes: secret} of secrets) {
      for (const form of [
        secret,
        Buffer.from(secret.toString('base64').slice(0, 20)),
        Buffer.from(secret.toString('hex')),
      ]) {
        if (bytes.includes(form)) found.add(label)
      }
    }
  }
  return [...found]
}

function containsSentinel(text: string): string | undefined {
  return ALL.find((value) => text.includes(value) || text.includes(Buffer.from(value).toString('base64').slice(0, 20)))
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

/** What the route plan knows while it runs: the store's mode, the agent's key, the deployment once submitted. */
interface PlanContext {
  mode: KeyringMode
  publicKey: string
  deployment?: SubmitOutput
  /** The backup route's file (base64), for verify and restore. */
  backupFile?: string
}

/** One valid request to a route (typed by the contract) and the answer it must get. */
interface RouteCall<K extends RouteName> {
  input: RouteInput<Routes[K]>
  status: number
  /** For an error answer: the error code. */
  code?: string
  /** More checks on the answer (every answer is also checked for sentinels). */
  check?: (response: RawResponse, context: PlanContext) => void | Promise<void>
}

/**
 * Every route of the contract with valid requests, run in this order (the key order): a route added
 * to src/api/contract.ts without an entry here breaks the compiler.
 */
type RoutePlan = {[K in RouteName]: (context: PlanContext) => Promise<Array<RouteCall<K>>>}

/** The container prints its secret values on stdout and stderr, then waits; SIGTERM stops it at once. */
const PRINTER = ['sh', '-c', 'trap "exit 0" TERM; echo "out $ARG_KEY"; echo "err $OTHER_KEY" >&2; sleep 300 & wait']

function backupFile(context: PlanContext): string {
  if (!context.backupFile) throw new Error('the backup call did not return a file')
  return context.backupFile
}

function deployment(context: PlanContext): SubmitOutput {
  if (!context.deployment) throw new Error('the submit call did not record a deployment')
  return context.deployment
}

const plan: RoutePlan = {
  hello: async () => [{input: {}, status: 200}],
  // OS keyring mode: `init --keyring os` again is a no-op; seal and unseal have nothing to do (409).
  // Passphrase mode (a new store): init creates the data key, seal wipes it, unseal brings it back.
  init: async ({mode, publicKey}) => [
    mode === 'os'
      ? {input: {keyring: 'os'}, status: 200, check: (r) => expect(r.json).toMatchObject({action: 'unchanged'})}
      : {
          input: {keyring: 'passphrase', passphrase: await sealOne(publicKey, SENTINELS.passphrase)},
          status: 200,
          check: (r) => expect(r.json).toMatchObject({keyring: 'passphrase', action: 'created', sealed: false}),
        },
  ],
  seal: async ({mode}) => [
    mode === 'os'
      ? {input: {}, status: 409, code: 'wrong_keyring_mode'}
      : {input: {}, status: 200, check: (r) => expect(r.json).toMatchObject({sealed: true, changed: true})},
  ],
  unseal: async ({mode, publicKey}) => {
    const input = {passphrase: await sealOne(publicKey, SENTINELS.passphrase)}
    return [
      mode === 'os'
        ? {input, status: 409, code: 'wrong_keyring_mode'}
        : {input, status: 200, check: (r) => expect(r.json).toMatchObject({sealed: false, changed: true})},
    ]
  },
  keyringStatus: async ({mode}) => [
    {input: {}, status: 200, check: (r) => expect(r.json).toMatchObject({keyring: mode, sealed: false})},
  ],
  storeStatus: async () => [
    {input: {}, status: 200, check: (r) => expect(r.json).toMatchObject({schemaVersion: SCHEMA_VERSION})},
  ],
  engineStatus: async () => [
    {input: {reach: true}, status: 200, check: (r) => expect(r.json).toMatchObject({problem: null})},
  ],
  createSecret: async ({publicKey}) => [
    {
      input: {
        name: 'raw',
        description: 'every route',
        values: await sealAll(publicKey, {ARG_KEY: SENTINELS.raw, OTHER_KEY: SENTINELS.rawSecond}),
      },
      status: 200,
    },
  ],
  rotateSecret: async ({publicKey}) => [
    {
      input: {name: 'raw', values: await sealAll(publicKey, {ARG_KEY: SENTINELS.rawRotated})},
      status: 200,
      check: (r) => expect(r.json).toMatchObject({changedKeys: ['ARG_KEY'], secret: {version: 2}}),
    },
  ],
  listSecrets: async () => [
    {input: {}, status: 200},
    {input: {includeDeleted: true}, status: 200},
  ],
  audit: async () => [
    {input: {}, status: 200},
    {input: {limit: 100000}, status: 200},
  ],
  // The backup file comes back sealed (no sentinel in the answer, base64 or not); verify and restore read it.
  backup: async ({publicKey}) => [
    {
      input: {passphrase: await sealOne(publicKey, SENTINELS.passphrase), includeDeleted: true},
      status: 200,
      check: (r, context) => {
        context.backupFile = (r.json as {file: string}).file
        expect(containsSentinel(Buffer.from(context.backupFile, 'base64').toString('latin1'))).toBeUndefined()
      },
    },
  ],
  verifyBackup: async (context) => [
    {
      input: {file: backupFile(context), passphrase: await sealOne(context.publicKey, SENTINELS.passphrase)},
      status: 200,
      check: (r) => expect(r.json).toMatchObject({header: {format: 1, cipher: 'xchacha20poly1305-secretstream'}}),
    },
  ],
  restore: async (context) => [
    {
      input: {
        file: backupFile(context),
        passphrase: await sealOne(context.publicKey, SENTINELS.passphrase),
        mode: 'merge',
        onConflict: 'skip',
      },
      status: 200,
      check: (r) => expect(r.json).toMatchObject({added: 0, skipped: expect.arrayContaining(['raw'])}),
    },
  ],
  rotateKey: async ({mode, publicKey}) => [
    mode === 'os'
      ? {input: {}, status: 200, check: (r) => expect(r.json).toMatchObject({keyring: 'os'})}
      : {
          input: {passphrase: await sealOne(publicKey, SENTINELS.passphrase)},
          status: 200,
          check: (r) => expect(r.json).toMatchObject({keyring: 'passphrase'}),
        },
  ],
  changePassphrase: async ({mode, publicKey}) => {
    const input = {
      passphrase: await sealOne(publicKey, SENTINELS.passphrase),
      newPassphrase: await sealOne(publicKey, SENTINELS.passphrase),
    }
    return [
      mode === 'os'
        ? {input, status: 409, code: 'wrong_keyring_mode'}
        : {input, status: 200, check: (r) => expect(r.json).toEqual({sealed: false})},
    ]
  },
  submit: async () => [
    {
      input: {image: TEST_IMAGE, secrets: ['raw'], env: ['PLAIN=visible'], command: PRINTER},
      status: 200,
      check: (r, context) => {
        context.deployment = r.json as SubmitOutput
        expect(context.deployment).toMatchObject({state: 'running', image: TEST_IMAGE})
      },
    },
  ],
  listDeployments: async (context) => [
    {
      input: {},
      status: 200,
      check: (r) => expect(r.json).toEqual([expect.objectContaining({id: deployment(context).id})]),
    },
  ],
  getDeployment: async (context) => [
    {
      input: {id: deployment(context).id},
      status: 200,
      check: (r) => expect(r.json).toMatchObject({env: {PLAIN: 'visible'}, secrets: [{name: 'raw', version: 2}]}),
    },
  ],
  showSecret: async (context) => [
    {
      input: {name: 'raw'},
      status: 200,
      check: (r) =>
        expect(r.json).toMatchObject({
          name: 'raw',
          keys: ['ARG_KEY', 'OTHER_KEY'],
          version: 2,
          deployments: [{id: deployment(context).id, version: 2, stale: false}],
        }),
    },
  ],
  // The container really printed the values (docker has them); the route hands them out masked.
  logs: async (context) => {
    const {id, containerId} = deployment(context)
    await waitFor(async () => {
      const output = (await execa('docker', ['logs', containerId], {all: true, reject: false, stdin: 'ignore'})).all
      return output.includes(SENTINELS.rawRotated) && output.includes(SENTINELS.rawSecond)
    }, 30_000)
    return [
      {
        input: {id},
        status: 200,
        check: async (r) => {
          const streams = {out: '', err: ''}
          for await (const frame of decodeFrames(Readable.from([r.bytes]))) {
            expect([FRAME_STDOUT, FRAME_STDERR]).toContain(frame.kind)
            streams[frame.kind === FRAME_STDOUT ? 'out' : 'err'] += frame.payload.toString('utf8')
          }
          expect(streams).toEqual({out: `out ${MASK}\n`, err: `err ${MASK}\n`})
        },
      },
    ]
  },
  resubmit: async (context) => [
    {
      input: {id: deployment(context).id},
      status: 200,
      check: (r) => expect(r.json).toMatchObject({revision: 2, previousContainerId: deployment(context).containerId}),
    },
  ],
  terminate: async (context) => [
    {
      input: {id: deployment(context).id, grace: 5},
      status: 200,
      check: (r) => expect(r.json).toMatchObject({state: 'terminated'}),
    },
  ],
  deleteSecret: async () => [{input: {name: 'raw'}, status: 200}],
  shutdown: async () => [{input: {}, status: 200}],
}

async function sealOne(publicKey: string, value: string): Promise<string> {
  return (await sealAll(publicKey, {value})).value
}

/** One route, raw over the socket: the request as the contract builds it, the status, no sentinel. */
async function callRoute<K extends RouteName>(
  socket: string,
  name: K,
  call: RouteCall<K>,
  context: PlanContext,
): Promise<string> {
  const route: Routes[RouteName] = routes[name]
  const {path, body} = requestFor(route, call.input as RouteInput<typeof route>)
  const response = await rawRequest(socket, route.method, path, body, body ? {'content-type': 'application/json'} : {})
  const line = `${name}: ${route.method} ${path} -> ${response.status}`
  expect(containsSentinel(response.text), line).toBeUndefined()
  expect(response.status, `${line} ${response.text.slice(0, 300)}`).toBe(call.status)
  if (call.code) expect(response.json, line).toMatchObject({error: {code: call.code}})
  await call.check?.(response, context)
  return line
}

/** Runs the whole plan against the store's agent; returns one line per call. */
async function everyRoute(t: TestHome, mode: KeyringMode): Promise<string[]> {
  const context: PlanContext = {mode, publicKey: (await hello(t.socket)).publicKey}
  const called: string[] = []
  for (const name of Object.keys(plan) as RouteName[]) {
    const calls = (await plan[name](context)) as Array<RouteCall<typeof name>>
    expect(calls.length, name).toBeGreaterThan(0)
    for (const call of calls) called.push(await callRoute(t.socket, name, call, context))
  }
  expect(new Set(called.map((line) => line.split(':')[0]))).toEqual(new Set(Object.keys(routes)))
  return called
}

/** A test store whose containers and env-file dir go away with it. */
function dockerHome(): TestHome {
  const t = makeHome()
  cleanups.push(() => t.cleanup())
  cleanups.push(async () => {
    await removeStoreContainers(await storeId(t))
    removeEnvFileDir(t.env)
  })
  return t
}

/** The dirs a value must never reach: the store (log included), the runtime dir, the env-file dir. */
function scanned(t: TestHome): string[] {
  const paths = resolvePaths({...process.env, ...t.env})
  return [t.home, paths.runtimeDir, envFileDir(paths)].filter((dir) => existsSync(dir))
}

describe.skipIf(!docker)('leaks, every route with a real deployment', () => {
  it('keeps sentinel values out of every file, the log and every route response (OS keyring store)', async () => {
    const t = dockerHome()
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

    // Every route of the contract raw over the socket, a deployment's logs included; shutdown last.
    const pid = t.agentPid()!
    await everyRoute(t, 'os')

    // After the agent stopped (WAL checkpointed, log flushed).
    await waitFor(() => !isAlive(pid), 15_000)
    const paths = resolvePaths({...process.env, ...t.env})
    expect(readdirSync(t.home)).toEqual(expect.arrayContaining(['store.db', 'agent.log']))
    // Every file of the store and the runtime dir is its owner's alone.
    const ownerOnly = () => {
      for (const file of [...filesUnder(t.home), ...filesUnder(paths.runtimeDir)]) {
        expect((statSync(file).mode & 0o077).toString(8), file).toBe('0')
      }
    }
    ownerOnly()
    expect(leaksIn(scanned(t))).toEqual([])
    expect(readFileSync(paths.log, 'utf8')).toContain('listening on')

    // Restart, read everything again, stop with SIGKILL so the WAL and shm stay as they are.
    await ok(['secrets', 'list', '--json'])
    await ok(['secrets', 'rotate', 'stdin', 'EXTRA=1'])
    // A rotation erases the WAL before it answers (StoreConnection.erase); a new secret writes to it again.
    await ok(['secrets', 'new', 'after-rotate', 'K=1'])
    await ok(['status', '--json'])
    const walFiles = readdirSync(t.home).filter((file) => file.startsWith('store.db-'))
    expect(walFiles.sort()).toEqual(['store.db-shm', 'store.db-wal'])
    expect(statSync(join(t.home, 'store.db-wal')).size).toBeGreaterThan(0)
    const second = t.agentPid()!
    process.kill(second, 'SIGKILL')
    await waitFor(() => !isAlive(second), 10_000)
    ownerOnly()
    // The master key (read back from the Secret Service) is in no file either, nor in the next agent's argv or environment.
    const lookup = await execa('secret-tool', ['lookup', 'service', 'hush', 'username', String(await storeId(t))], {
      reject: false,
    })
    expect(lookup.exitCode).toBe(0)
    const masterKey = Buffer.from(lookup.stdout, 'base64')
    expect(masterKey).toHaveLength(32)
    expect(leaksIn(scanned(t), [masterKey])).toEqual([])
    await ok(['secrets', 'list'])
    const third = t.agentPid()!
    expect(
      leaksInTexts(
        [readFileSync(`/proc/${third}/environ`, 'latin1'), readFileSync(`/proc/${third}/cmdline`, 'latin1')],
        [masterKey],
      ),
    ).toEqual([])
  }, 300_000)

  it('keeps sentinel values and the passphrase out of every file and response (passphrase store)', async () => {
    const t = dockerHome()
    const started = await t.hush(['daemon', 'start'])
    expect(started.exitCode, started.stderr).toBe(0)
    const pid = t.agentPid()!
    const watch = watchProcesses()
    const called = await everyRoute(t, 'passphrase')
    expect(called.filter((line) => /^(init|seal|unseal):/.test(line)).every((line) => line.endsWith('200'))).toBe(true)
    await waitFor(() => !isAlive(pid), 15_000)
    // A new agent opens the store from the kernel keyring (keyctl runs with the key on stdin only).
    await t.ok(['secrets', 'new', 'after', 'K=plain'])
    await t.ok(['seal'])
    await t.ok(['unseal', '--ttl', '1h'], {input: SENTINELS.passphrase})
    const seen = watch.stop()
    expect(seen.size).toBeGreaterThan(0)
    // The master key as the kernel keyring holds it (read back with keyctl): its bytes are the needle.
    const payload = (await cachedPayload((await storeId(t))!))!.toString('utf8').split('\n')
    const masterKey = Buffer.from(payload[3], 'base64')
    expect(masterKey).toHaveLength(32)
    expect(leaksInTexts(seen, [masterKey]), 'argv or environment of some process').toEqual([])
    const last = t.agentPid()!
    expect(
      leaksInTexts(
        [readFileSync(`/proc/${last}/environ`, 'latin1'), readFileSync(`/proc/${last}/cmdline`, 'latin1')],
        [masterKey],
      ),
    ).toEqual([])
    await t.ok(['daemon', 'stop'])
    expect(readdirSync(t.home)).toEqual(expect.arrayContaining(['store.db', 'agent.log']))
    expect(leaksIn(scanned(t), [masterKey])).toEqual([])
  }, 300_000)
})

describe('leaks', () => {
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
      else if (req.url?.endsWith('/rotate'))
        out = {secret, changedKeys: [], addedKeys: [], renamedKeys: [], removedKeys: [], staleDeployments: []}
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
        Buffer.from(openBox(sodium, keys, sealed) ?? []).toString('utf8'),
      ),
    )
    expect(opened).toEqual([SENTINELS.arg, SENTINELS.stdin, SENTINELS.env, SENTINELS.dotenv, SENTINELS.rotated])
  })
})
