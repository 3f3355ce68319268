// The agent's one way to a passphrase (withPassphrase): one boxed to this agent opens for the call
// only, and its bytes are wiped after it, whether the call returns or throws; one boxed to another
// agent is refused before anything runs.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {resolvePaths} from '../../../src/config/paths.js'
import {loadSodium, type Sodium} from '../../../src/crypto/sodium.js'
import {boxValue, newTransportKeys} from '../../../src/crypto/transport.js'
import {Agent} from '../../../src/daemon/agent.js'

let sodium: Sodium
beforeAll(async () => {
  sodium = await loadSodium()
})

describe('Agent.withPassphrase', () => {
  let dir: string
  let agent: Agent
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hush-agent-'))
    agent = new Agent(resolvePaths({HUSH_HOME: dir}), sodium, () => {})
  })
  afterEach(() => {
    agent.close()
    rmSync(dir, {recursive: true, force: true})
  })

  const boxedTo = (publicKey: Uint8Array, text: string) =>
    boxValue(sodium, sodium.to_base64(publicKey, sodium.base64_variants.ORIGINAL), Buffer.from(text))

  it('hands the opened passphrase to the call and wipes it after, whether the call returns or throws', async () => {
    const seen: Uint8Array[] = []
    const answer = await agent.withPassphrase(boxedTo(agent.transport.publicKey, 'correct horse'), async (bytes) => {
      seen.push(bytes)
      return Buffer.from(bytes).toString()
    })
    expect(answer).toBe('correct horse')
    await expect(
      agent.withPassphrase(boxedTo(agent.transport.publicKey, 'correct horse'), (bytes) => {
        seen.push(bytes)
        throw new Error('the call failed')
      }),
    ).rejects.toThrow('the call failed')
    expect(seen.map((bytes) => [bytes.length, bytes.every((byte) => byte === 0)])).toEqual([
      [13, true],
      [13, true],
    ])
  })

  it('refuses a passphrase boxed to another agent, or none, and calls nothing', async () => {
    const other = newTransportKeys(sodium)
    let called = false
    for (const boxed of [boxedTo(other.publicKey, 'correct horse'), undefined]) {
      await expect(
        agent.withPassphrase(boxed, () => {
          called = true
        }),
      ).rejects.toMatchObject({code: 'unopenable_value'})
    }
    expect(called).toBe(false)
  })
})
