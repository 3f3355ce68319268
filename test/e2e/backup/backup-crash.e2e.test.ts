// kill -9 of the agent at random moments during a restore and during a rotation of the data key
// (20 tries each): after a restart the store opens, nothing is half-written (a restore is all or
// nothing, a rotation leaves exactly one key), and every value still decrypts to what it was.
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  type AuditEvent,
  type Hello,
  type Route,
  type RouteInput,
  routes,
  type SecretInfo,
} from '../../../src/api/contract.js'
import {requestFor} from '../../../src/client/client.js'
import {HushClient} from '../../../src/client/hush-client.js'
import {loadSodium} from '../../../src/crypto/sodium.js'
import {boxValue} from '../../../src/crypto/transport.js'
import {BACKUP_PASSPHRASE, storeValues} from '../../support/backup-tools.js'
import {isAlive, makeHome, rawRequest, type TestHome, waitFor} from '../../support/helpers.js'

const TRIES = 20
const SECRETS = 300

let dir: string
let source: TestHome
let original: Record<string, string>
let backupFile: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-crash-'))
  source = makeHome()
  const client = new HushClient({home: source.home})
  try {
    for (let i = 0; i < SECRETS; i += 50) {
      await Promise.all(
        Array.from({length: 50}, (_, j) =>
          client.createSecret(`s-${i + j}`, {A: randomBytes(24).toString('hex'), B: `value ${i + j} 🙂`}),
        ),
      )
    }
  } finally {
    await client.close()
  }
  original = await storeValues(source, dir)
  backupFile = join(dir, 'source.backup')
  await source.ok(['backup', backupFile], {input: BACKUP_PASSPHRASE})
}, 180_000)

afterAll(async () => {
  await source?.cleanup()
  rmSync(dir, {recursive: true, force: true})
})

/** The running agent (started by a CLI call that needs the data key). */
async function agentHello(t: TestHome): Promise<Hello> {
  return (await rawRequest(t.socket, 'GET', '/v1/hello')).json as Hello
}

/** Sends one route raw; resolves with its status, or undefined when the agent died under it. */
async function send<R extends Route<unknown, unknown>>(
  t: TestHome,
  route: R,
  input: RouteInput<R>,
): Promise<number | undefined> {
  const {path, body} = requestFor(route, input)
  try {
    const response = await rawRequest(t.socket, route.method, path, body, {'content-type': 'application/json'})
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${response.text}`)
    return response.status
  } catch (error) {
    if (error instanceof Error && error.message.includes('answered')) throw error
    return undefined
  }
}

/** Runs `start`, kills the agent after a random delay within `window` ms, waits until it is gone. */
async function killDuring(pid: number, window: number, start: () => Promise<number | undefined>) {
  const pending = start()
  await new Promise((resolve) => setTimeout(resolve, Math.random() * window))
  process.kill(pid, 'SIGKILL')
  const status = await pending
  await waitFor(() => !isAlive(pid), 10_000)
  return status === 200
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = Date.now()
  await action()
  return Date.now() - started
}

describe('kill -9 during restore', () => {
  it('leaves the restore all there or not at all, and every value decrypts', async () => {
    const t = makeHome()
    try {
      const sodium = await loadSodium()
      const sealed = (hello: Hello) => boxValue(sodium, hello.publicKey, new TextEncoder().encode(BACKUP_PASSPHRASE))
      const file = readFileSync(backupFile).toString('base64')
      await t.ok(['secrets', 'list'])
      const first = await agentHello(t)
      const window = await timed(() => send(t, routes.restore, {file, passphrase: sealed(first), mode: 'into-empty'}))
      // Each try: replace every secret from the backup (versions + 1) and kill the agent under it.
      let committed = 1
      for (let attempt = 0; attempt < TRIES; attempt++) {
        const hello = await agentHello(t)
        const acked = await killDuring(hello.pid, window * 1.2, () =>
          send(t, routes.restore, {file, passphrase: sealed(hello), mode: 'merge', onConflict: 'replace'}),
        )
        // The next command starts a new agent on the same store.
        const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
        expect(listed).toHaveLength(SECRETS)
        const versions = [...new Set(listed.map((s) => s.version))]
        expect(versions.length, `attempt ${attempt}: versions ${versions}`).toBe(1)
        expect([committed, committed + 1], `attempt ${attempt}`).toContain(versions[0])
        if (acked) expect(versions[0], `attempt ${attempt}: acknowledged but not there`).toBe(committed + 1)
        committed = versions[0]
      }
      process.stderr.write(
        `restore: ${committed - 1} of ${TRIES} killed restores had committed (window ${window} ms)\n`,
      )
      const events = await t.json<AuditEvent[]>(['audit', '--limit', '100000'])
      expect(events.filter((e) => e.event === 'store.restored')).toHaveLength(committed)
      expect(await storeValues(t, dir)).toEqual(original)
    } finally {
      await t.cleanup()
    }
  }, 420_000)
})

describe('kill -9 during rotation of the data key', () => {
  it('opens with exactly one of the two keys after each kill, and every value decrypts', async () => {
    const t = makeHome()
    try {
      await t.ok(['restore', backupFile], {input: BACKUP_PASSPHRASE})
      const rotations = async () =>
        (await t.json<AuditEvent[]>(['audit', '--limit', '100000'])).filter((e) => e.event === 'store.key_rotated')
          .length
      // The window: one rotation by a fresh agent (it loads the key from the keyring first), as in each try.
      await t.ok(['daemon', 'stop'])
      let before = await rotations()
      const window = await timed(() => send(t, routes.rotateKey, {}))
      before++
      await t.ok(['daemon', 'stop'])
      expect(await rotations()).toBe(before)
      let committed = 0
      for (let attempt = 0; attempt < TRIES; attempt++) {
        // The rotation first opens the data key (whichever of the two is stored) and decrypts every
        // value: a store left with a wrong key or a mix answers store_corrupt, which fails `send`.
        const hello = await agentHello(t)
        const acked = await killDuring(hello.pid, window * 1.5, () => send(t, routes.rotateKey, {}))
        const after = await rotations()
        expect([before, before + 1], `attempt ${attempt}`).toContain(after)
        if (acked) expect(after, `attempt ${attempt}: acknowledged but not there`).toBe(before + 1)
        committed += after - before
        before = after
      }
      process.stderr.write(`rotation: ${committed} of ${TRIES} killed rotations had committed (window ${window} ms)\n`)
      expect(await storeValues(t, dir)).toEqual(original)
    } finally {
      await t.cleanup()
    }
  }, 420_000)
})
