// Durability under kill -9: clients write concurrently, the agent is SIGKILLed mid-way, and after a
// restart every acknowledged write is there and the store opens (values still decrypt).
import {afterEach, describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import {createRaw, hello} from '../../support/agent-tools.js'
import {isAlive, makeHome, type TestHome, waitFor} from '../../support/helpers.js'

let t: TestHome
afterEach(async () => {
  await t.cleanup()
})

describe('kill -9 while writing', () => {
  it('keeps every acknowledged write', async () => {
    t = makeHome()
    expect((await t.hush(['secrets', 'new', 'before', 'K=v'])).exitCode).toBe(0)
    const pid = t.agentPid()!
    const {publicKey} = await hello(t.socket)

    const acknowledged: string[] = []
    const failed: string[] = []
    let killed = false
    const writer = async (client: number) => {
      for (let i = 0; ; i++) {
        const name = `w${client}-${i}`
        try {
          const response = await createRaw(t.socket, publicKey, name, {K: `value-${name}`, OTHER: 'x'.repeat(100)})
          if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.text}`)
          acknowledged.push(name)
        } catch {
          failed.push(name)
          if (killed) return
          throw new Error(`write ${name} failed before the kill`)
        }
      }
    }
    const writers = [0, 1, 2, 3].map(writer)
    await waitFor(() => acknowledged.length >= 40, 60_000)
    killed = true
    process.kill(pid, 'SIGKILL')
    await Promise.all(writers)
    await waitFor(() => !isAlive(pid), 10_000)
    expect(failed.length).toBe(4)

    // Any command restarts the agent on the same store.
    const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(t.agentPid()).not.toBe(pid)
    const names = new Set(listed.map((secret) => secret.name))
    const missing = ['before', ...acknowledged].filter((name) => !names.has(name))
    expect(missing).toEqual([])
    // Nothing half-written: every listed secret has both keys.
    for (const secret of listed.filter((s) => s.name !== 'before')) expect(secret.keys).toEqual(['K', 'OTHER'])

    // The store opens and its values decrypt: rotating reads every stored value.
    const last = acknowledged[acknowledged.length - 1]
    const rotated = await t.hush(['secrets', 'rotate', last, 'NEW=1'])
    expect(rotated.exitCode, rotated.stderr).toBe(0)
    expect((await t.hush(['secrets', 'rotate', 'before', 'K=w'])).exitCode).toBe(0)
  }, 120_000)
})
