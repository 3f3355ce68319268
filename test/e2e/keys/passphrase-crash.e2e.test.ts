// kill -9 of a passphrase-mode agent in the middle of concurrent writes: after a restart and
// `hush unseal`, every acknowledged create and rotate is in the store and every value still opens.
import {randomBytes} from 'node:crypto'
import {Pool} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type Hello, routes, type SecretInfo} from '../../../src/api/contract.js'
import {requestFor} from '../../../src/client/client.js'
import {loadSodium, type Sodium} from '../../../src/crypto/sodium.js'
import {boxValue} from '../../../src/crypto/transport.js'
import {isAlive, makeHome, rawRequest, type TestHome, waitFor} from '../../support/helpers.js'

const PASSPHRASE = 'crash test passphrase'
const WRITERS = 8

let t: TestHome
let sodium: Sodium
beforeAll(async () => {
  t = makeHome()
  sodium = await loadSodium()
  // --ttl off: no unlock cache, so every agent after a kill starts sealed, as this test needs.
  const init = await t.hush(['init', '--keyring', 'passphrase', '--ttl', 'off'], {input: `${PASSPHRASE}\n`})
  expect(init.exitCode, init.stderr).toBe(0)
  const shared = await t.hush(['secrets', 'new', 'shared', 'A=1'])
  expect(shared.exitCode, shared.stderr).toBe(0)
})
afterAll(async () => {
  await t.cleanup()
})

async function post(pool: Pool, path: string, body: string): Promise<{status: number; json: unknown}> {
  const response = await pool.request({method: 'POST', path, body, headers: {'content-type': 'application/json'}})
  const text = await response.body.text()
  return {status: response.statusCode, json: JSON.parse(text)}
}

describe('kill -9 during concurrent writes in passphrase mode', () => {
  it('keeps every acknowledged write', async () => {
    const acked = new Set<string>()
    let sharedVersion = 1
    for (let round = 0; round < 2; round++) {
      const hello = (await rawRequest(t.socket, 'GET', '/v1/hello')).json as Hello
      expect(hello.sealed).toBe(false)
      const seal = (text: string) => boxValue(sodium, hello.publicKey, new TextEncoder().encode(text))
      const pool = new Pool('http://hush.local', {socketPath: t.socket, connections: WRITERS, pipelining: 1})
      let stop = false
      const writer = async (id: number) => {
        for (let i = 0; !stop; i++) {
          try {
            if (i % 3 === 2) {
              const {path, body} = requestFor(routes.rotateSecret, {
                name: 'shared',
                values: {[`K${id}`]: seal(`v${i}`)},
              })
              const result = await post(pool, path, body!)
              if (result.status !== 200) throw new Error(`rotate answered ${result.status}`)
              const version = (result.json as {secret: SecretInfo}).secret.version
              sharedVersion = Math.max(sharedVersion, version)
            } else {
              const name = `r${round}-w${id}-${i}`
              const {path, body} = requestFor(routes.createSecret, {
                name,
                values: {TOKEN: seal(randomBytes(16).toString('hex')), N: seal(String(i))},
              })
              const result = await post(pool, path, body!)
              if (result.status !== 200) throw new Error(`create answered ${result.status}`)
              acked.add(name)
            }
          } catch {
            // The agent was killed under this request: it was never acknowledged.
            return
          }
        }
      }
      const writers = Array.from({length: WRITERS}, (_, id) => writer(id))
      const before = acked.size
      await waitFor(() => acked.size >= before + 60, 60_000)
      process.kill(hello.pid, 'SIGKILL')
      stop = true
      await Promise.all(writers)
      await pool.destroy()
      await waitFor(() => !isAlive(hello.pid), 10_000)

      // The next agent starts sealed; unseal it and check every acknowledged write.
      const refused = await t.hush(['secrets', 'list'])
      expect(refused.stderr).toContain('run `hush unseal`')
      const unseal = await t.hush(['unseal', '--ttl', 'off'], {input: PASSPHRASE})
      expect(unseal.exitCode, unseal.stderr).toBe(0)
      const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
      const names = new Set(listed.map((s) => s.name))
      const missing = [...acked].filter((name) => !names.has(name))
      expect(missing).toEqual([])
      const shared = listed.find((s) => s.name === 'shared')!
      expect(shared.version).toBeGreaterThanOrEqual(sharedVersion)
    }
    // Every value still opens: a rotate decrypts all kept values of a secret (store_corrupt otherwise).
    const rotated = await t.hush(['secrets', 'rotate', 'shared', 'Z=1'])
    expect(rotated.exitCode, rotated.stderr).toBe(0)
    const hello = (await rawRequest(t.socket, 'GET', '/v1/hello')).json as Hello
    const pool = new Pool('http://hush.local', {socketPath: t.socket, connections: 4, pipelining: 1})
    try {
      const results = await Promise.all(
        [...acked].map((name) => {
          const value = boxValue(sodium, hello.publicKey, new TextEncoder().encode('again'))
          const {path, body} = requestFor(routes.rotateSecret, {name, values: {N: value}})
          return post(pool, path, body!).then((result) => [name, result.status] as const)
        }),
      )
      expect(results.filter(([, status]) => status !== 200)).toEqual([])
    } finally {
      await pool.close()
    }
  }, 240_000)
})
