// The master key really lives in the OS keyring (service hush, one account per store), read back
// with secret-tool; without its entry the agent reports master_key_missing.
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import type {Hello} from '../src/api/contract.js'
import {errorLine} from './agent-tools.js'
import {makeHome, type TestHome} from './helpers.js'

const homes: TestHome[] = []
const accounts: string[] = []
afterEach(async () => {
  for (const home of homes.splice(0)) await home.cleanup()
  for (const account of accounts.splice(0)) await secretTool(['clear', 'service', 'hush', 'account', account])
})

async function secretTool(args: string[]): Promise<{stdout: string; exitCode: number}> {
  const result = await execa('secret-tool', args, {reject: false, timeout: 20_000})
  return {stdout: result.stdout, exitCode: result.exitCode ?? -1}
}

async function storeWithSecret(): Promise<{t: TestHome; account: string}> {
  const t = makeHome()
  homes.push(t)
  const created = await t.hush(['secrets', 'new', 'first', 'K=v'])
  expect(created.exitCode, created.stderr).toBe(0)
  const status = await t.json<{running: true} & Hello>(['daemon', 'status'])
  expect(status.running).toBe(true)
  expect(status.keyring).toBe('os')
  expect(status.keyringAccount).toMatch(/^[0-9a-f-]{36}$/)
  accounts.push(status.keyringAccount!)
  return {t, account: status.keyringAccount!}
}

describe('OS keyring', () => {
  it('keeps a 32-byte master key per store under service hush', async () => {
    const [one, two] = await Promise.all([storeWithSecret(), storeWithSecret()])
    expect(two.account).not.toBe(one.account)

    const keys: string[] = []
    for (const {account, t} of [one, two]) {
      const lookup = await secretTool(['lookup', 'service', 'hush', 'account', account])
      expect(lookup.exitCode).toBe(0)
      expect(lookup.stdout).toMatch(/^[A-Za-z0-9+/]{43}=$/)
      expect(Buffer.from(lookup.stdout, 'base64')).toHaveLength(32)
      keys.push(lookup.stdout)
      // The human status names the same entry.
      const status = await t.hush(['daemon', 'status'])
      expect(status.stdout).toContain(`master key: OS keyring (service hush, account ${account})`)
    }
    expect(keys[1]).not.toBe(keys[0])
  })

  it('reports master_key_missing when the entry is gone and the agent restarts', async () => {
    const {t, account} = await storeWithSecret()
    expect((await secretTool(['clear', 'service', 'hush', 'account', account])).exitCode).toBe(0)
    expect((await secretTool(['lookup', 'service', 'hush', 'account', account])).exitCode).not.toBe(0)
    // The running agent still holds the key in memory; a restarted one must read the keyring.
    expect((await t.hush(['daemon', 'stop'])).exitCode).toBe(0)

    for (const args of [
      ['secrets', 'rotate', 'first', 'K=w'],
      ['secrets', 'new', 'second', 'K=v'],
    ]) {
      const [human, json] = await Promise.all([t.hush(args), t.hush([...args, '--json'])])
      expect(human.exitCode, human.stderr).toBe(1)
      expect(errorLine(human.stderr)).toBe(
        `hush: This store's master key is not in the OS keyring (service hush, account ${account}): restore that entry, or start over with a new HUSH_HOME.`,
      )
      expect(json.exitCode).toBe(1)
      expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'master_key_missing'}})
    }
    // Metadata stays readable and nothing new was stored, nor a new key made for the old store.
    const listed = await t.json<Array<{name: string; version: number}>>(['secrets', 'list'])
    expect(listed.map((secret) => [secret.name, secret.version])).toEqual([['first', 1]])
    expect((await secretTool(['lookup', 'service', 'hush', 'account', account])).exitCode).not.toBe(0)
  })
})
