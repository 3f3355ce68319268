// The master key really lives in the OS keyring (service hush, one account per store), read back
// with secret-tool (@napi-rs/keyring's layout: attributes service + username); without its entry the
// agent reports master_key_missing; a key in keytar's layout (service + account) is moved once.
// `hush doctor` on a healthy machine and with no Docker engine.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import type {Hello} from '../../../src/api/contract.js'
import {errorLine} from '../../support/agent-tools.js'
import {makeHome, type TestHome} from '../../support/helpers.js'

const homes: TestHome[] = []
const accounts: string[] = []
afterEach(async () => {
  for (const home of homes.splice(0)) await home.cleanup()
  for (const account of accounts.splice(0)) {
    await secretTool(['clear', 'service', 'hush', 'username', account])
    await secretTool(['clear', 'service', 'hush', 'account', account])
  }
})

async function secretTool(args: string[], input?: string): Promise<{stdout: string; exitCode: number}> {
  const result = await execa('secret-tool', args, {reject: false, timeout: 20_000, input})
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
      const lookup = await secretTool(['lookup', 'service', 'hush', 'username', account])
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
    expect((await secretTool(['clear', 'service', 'hush', 'username', account])).exitCode).toBe(0)
    expect((await secretTool(['lookup', 'service', 'hush', 'username', account])).exitCode).not.toBe(0)
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
    expect((await secretTool(['lookup', 'service', 'hush', 'username', account])).exitCode).not.toBe(0)
  })

  it("moves a master key written in keytar's layout (service + account) to the new one, once", async () => {
    const {t, account} = await storeWithSecret()
    await t.ok(['daemon', 'stop'])
    // What an earlier hush left: the same key under keytar's attributes, none under the new ones.
    const key = (await secretTool(['lookup', 'service', 'hush', 'username', account])).stdout
    expect((await secretTool(['clear', 'service', 'hush', 'username', account])).exitCode).toBe(0)
    const stored = await secretTool(['store', '--label=keytar entry', 'service', 'hush', 'account', account], key)
    expect(stored.exitCode).toBe(0)

    // The store opens with that key: the old secret is still readable by a new version of it.
    await t.ok(['secrets', 'rotate', 'first', 'K=w'])
    expect((await secretTool(['lookup', 'service', 'hush', 'username', account])).stdout).toBe(key)
    expect((await secretTool(['lookup', 'service', 'hush', 'account', account])).exitCode).not.toBe(0)
    // A second start reads the new entry (nothing left to move).
    await t.ok(['daemon', 'stop'])
    await t.ok(['secrets', 'new', 'second', 'K=v'])
    expect((await secretTool(['lookup', 'service', 'hush', 'username', account])).stdout).toBe(key)
  }, 180_000)
})

describe('hush doctor', () => {
  it('says hush can work on a healthy machine (exit 0), with --json', async () => {
    const {t} = await storeWithSecret()
    const human = await t.hush(['doctor'])
    expect(human.exitCode, human.stdout + human.stderr).toBe(0)
    for (const line of [
      /^ok {3}node: Node \d+\./m,
      /^ok {3}agent: running/m,
      /^ok {3}master key: OS keyring \(service hush/m,
      /^ok {3}docker engine: Docker Engine /m,
      /^ok {3}tmpfs: /m,
      /^ok {3}store: .*1 secret, /m,
    ]) {
      expect(human.stdout).toMatch(line)
    }
    expect(human.stdout).toContain('hush can work here.')
    const json = await t.hush(['doctor', '--json'])
    expect(json.exitCode).toBe(0)
    const report = JSON.parse(json.stdout) as {
      ok: boolean
      checks: Array<{check: string; level: string; fix: string | null}>
    }
    expect(report.ok).toBe(true)
    expect(report.checks.every((check) => check.level === 'ok' && check.fix === null)).toBe(true)
  }, 180_000)

  it('fails (exit 1) with a fix when the Docker engine does not answer', async () => {
    const {t} = await storeWithSecret()
    const dir = mkdtempSync(join(tmpdir(), 'hush-dead-docker-'))
    const wrapper = join(dir, 'docker')
    writeFileSync(wrapper, `#!/bin/sh\nDOCKER_HOST=unix://${dir}/no-engine.sock exec docker "$@"\n`, {mode: 0o755})
    // doctor checks the agent's engine: the agent doctor starts runs docker through the wrapper.
    await t.ok(['daemon', 'stop'])
    const result = await t.hush(['doctor'], {env: {HUSH_DOCKER: wrapper}})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^FAIL docker engine: not reachable \(.*no-engine\.sock/m)
    expect(result.stdout).toMatch(/^ {7}fix: start the Docker engine/m)
    expect(result.stdout).toMatch(/^ok {3}master key: OS keyring/m)
    const json = JSON.parse((await t.hush(['doctor', '--json'], {env: {HUSH_DOCKER: wrapper}})).stdout)
    expect(json.ok).toBe(false)
    rmSync(dir, {recursive: true, force: true})
  }, 180_000)

  it('fails (exit 1) with both ways out when no keyring answers', async () => {
    const t = makeHome()
    homes.push(t)
    const result = await t.hush(['doctor'], {env: {DBUS_SESSION_BUS_ADDRESS: undefined}})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^FAIL master key: OS keyring \(not reachable: no D-Bus session bus; /m)
    expect(result.stdout).toContain('fix: start a Secret Service')
    expect(result.stdout).toContain('or run `hush init --keyring passphrase`')
  }, 120_000)
})
