// Renaming keys under kill -9: a client renames a key back and forth while the agent is SIGKILLed,
// three times over. After each restart the bundle is in one state or the other, never between
// (keys, version and ciphertexts move together in one transaction), and every value still decrypts.
import {afterEach, describe, expect, it} from 'vitest'
import type {SecretDetail} from '../../../src/api/contract.js'
import {isAlive, makeHome, rawRequest, type TestHome, waitFor} from '../../support/helpers.js'

let t: TestHome
afterEach(async () => {
  await t.cleanup()
})

describe('kill -9 while renaming keys', () => {
  it('leaves each bundle whole: the acknowledged rename or the one in flight, values intact', async () => {
    t = makeHome()
    await t.ok(['secrets', 'new', 'flip', 'A=value-of-a', 'KEEP=kept'])
    let version = 1
    let keys = ['A', 'KEEP']
    for (let round = 0; round < 3; round++) {
      const pid = t.agentPid()
      expect(pid).toBeDefined()
      let acknowledged = 0
      let inFlight: {keys: string[]; version: number} | undefined
      let killed = false
      const renamer = async () => {
        for (;;) {
          const from = keys.includes('A') ? 'A' : 'B'
          const to = from === 'A' ? 'B' : 'A'
          inFlight = {keys: [to, 'KEEP'].sort(), version: version + 1}
          try {
            const body = JSON.stringify({rename: {[from]: to}, values: {}})
            const response = await rawRequest(t.socket, 'POST', '/v1/secrets/flip/rotate', body, {
              'content-type': 'application/json',
            })
            if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.text}`)
          } catch (error) {
            if (killed) return
            throw error
          }
          ;({keys, version} = inFlight)
          inFlight = undefined
          acknowledged++
        }
      }
      const running = renamer()
      await waitFor(() => acknowledged >= 10 + round * 7, 60_000)
      killed = true
      process.kill(pid as number, 'SIGKILL')
      await running
      await waitFor(() => !isAlive(pid as number), 10_000)

      // Any command starts a new agent on the same store.
      const shown = await t.json<SecretDetail>(['secrets', 'show', 'flip'])
      expect(t.agentPid()).not.toBe(pid)
      const states = [{keys, version}, ...(inFlight ? [inFlight] : [])]
      expect(states).toContainEqual({keys: shown.keys, version: shown.version})
      ;({keys, version} = {keys: shown.keys, version: shown.version})
      // Every value decrypts under its key and version: a rename opens and re-encrypts them all.
      const [from, to] = keys.includes('A') ? ['A', 'B'] : ['B', 'A']
      const check = await t.hush(['secrets', 'rotate', 'flip', '--rename', `${from}=${to}`])
      expect(check.exitCode, check.stderr).toBe(0)
      keys = [to, 'KEEP'].sort()
      version++
    }
  }, 180_000)
})
