// The secrets service over a real SQLite store and vault, with a fake OS keyring and a fake record of
// who uses what (no agent, docker, keyring or D-Bus): bundles are created, replaced, rotated and
// deleted whole or not at all, values stay write-only, and a secret in use is kept unless forced.
import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {loadSodium, type Sodium} from '../../../../src/crypto/sodium.js'
import {boxValue, newTransportKeys, type TransportKeys} from '../../../../src/crypto/transport.js'
import {SecretsService, type SecretUsage, scopeKey} from '../../../../src/daemon/secrets/service.js'
import {DataKey} from '../../../../src/daemon/vault/data-key.js'
import {KeyLifecycle} from '../../../../src/daemon/vault/key-lifecycle.js'
import type {MasterKeySource, UnlockCache} from '../../../../src/daemon/vault/key-sources.js'
import {storeForTest} from '../../../support/store.js'

const MASTER = new Uint8Array(32).fill(7)
const keyring: MasterKeySource = {
  mode: 'os',
  masterKey: async () => new Uint8Array(MASTER),
  meta: () => ({}),
  forget: async () => {},
}
const noCache: UnlockCache = {
  read: async () => ({state: 'absent'}),
  write: async () => {
    throw new Error('an OS keyring store has no unlock cache')
  },
  remove: async () => false,
}

/** Who uses what: deployments as the test declares them (name, app, version). */
class FakeUsage implements SecretUsage {
  users: Array<{id: string; name: string; app: string | null; version: number}> = []
  liveUsers(name: string, app: string | null): string[] {
    return this.users.filter((user) => user.name === name && user.app === app).map((user) => user.id)
  }
  liveUsersByScope(): Map<string, string[]> {
    const byScope = new Map<string, string[]>()
    for (const user of this.users) {
      const key = scopeKey(user.name, user.app)
      byScope.set(key, [...(byScope.get(key) ?? []), user.id])
    }
    return byScope
  }
  staleUsers(name: string, app: string | null, version: number): string[] {
    return this.users
      .filter((user) => user.name === name && user.app === app && user.version < version)
      .map((user) => user.id)
  }
}

let sodium: Sodium
beforeAll(async () => {
  sodium = await loadSodium()
})

describe('SecretsService', () => {
  const t = storeForTest('secrets')
  let dataKey: DataKey
  let transport: TransportKeys
  let usage: FakeUsage
  let secrets: SecretsService

  beforeEach(() => {
    dataKey = new DataKey(sodium, t.store, keyring)
    transport = newTransportKeys(sodium)
    usage = new FakeUsage()
    secrets = new SecretsService(t.store, dataKey, sodium, transport, usage)
  })

  const publicKey = () => sodium.to_base64(transport.publicKey, sodium.base64_variants.ORIGINAL)
  const boxed = (values: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, boxValue(sodium, publicKey(), Buffer.from(value))]),
    )
  /** What the store holds for NAME, decrypted (only a test may look). */
  const stored = (name: string, app: string | null = null) => {
    const row = t.store.findLive(name, app)
    if (!row) return undefined
    return Object.fromEntries(
      t.store.ciphertexts(row.id).map((cipher) => [cipher.key, Buffer.from(dataKey.decrypt(row, cipher)).toString()]),
    )
  }

  it('creates a bundle, then replaces it whole with the next version, naming the deployments left on the old one', async () => {
    const created = await secrets.create({name: 'db', description: 'database', values: boxed({USER: 'a', PASS: 'p1'})})
    expect(created).toMatchObject({replaced: false, secret: {name: 'db', keys: ['PASS', 'USER'], version: 1}})
    usage.users.push({id: 'd-1', name: 'db', app: null, version: 1})
    const replaced = await secrets.create({name: 'db', values: boxed({TOKEN: 't'})})
    expect(replaced).toMatchObject({
      replaced: true,
      staleDeployments: ['d-1'],
      secret: {keys: ['TOKEN'], version: 2, description: 'database', usedBy: ['d-1']},
    })
    expect(stored('db')).toEqual({TOKEN: 't'})
    expect(JSON.stringify(secrets.list(false))).not.toMatch(/p1|"t"/)
  })

  it('rotates in place: given keys change, others keep their values, renames move a value', async () => {
    await secrets.create({name: 'db', values: boxed({USER: 'a', PASS: 'p1', OLD: 'o'})})
    const rotated = await secrets.rotate({name: 'db', values: boxed({PASS: 'p2', NEW: 'n'}), rename: {OLD: 'RENAMED'}})
    expect(rotated).toMatchObject({
      changedKeys: ['PASS'],
      addedKeys: ['NEW'],
      renamedKeys: [{from: 'OLD', to: 'RENAMED'}],
      secret: {version: 2, keys: ['NEW', 'PASS', 'RENAMED', 'USER']},
    })
    expect(stored('db')).toEqual({USER: 'a', PASS: 'p2', NEW: 'n', RENAMED: 'o'})
  })

  it('stores nothing when one value of the bundle is bad', async () => {
    await expect(secrets.create({name: 'db', values: {...boxed({GOOD: 'g'}), BAD: 'not a box'}})).rejects.toMatchObject(
      {code: 'unopenable_value'},
    )
    await expect(secrets.create({name: 'db', values: boxed({'1BAD': 'x'})})).rejects.toMatchObject({
      code: 'invalid_key',
    })
    await expect(secrets.create({name: 'db', values: {}})).rejects.toMatchObject({code: 'empty_bundle'})
    expect(t.store.findLive('db')).toBeUndefined()
    expect(t.store.audit(10)).toEqual([])
  })

  it('keeps app-scoped and shared secrets of one name apart', async () => {
    await secrets.create({name: 'db', values: boxed({USER: 'shared'})})
    await secrets.create({name: 'db', app: 'api', values: boxed({USER: 'scoped'})})
    expect(stored('db')).toEqual({USER: 'shared'})
    expect(stored('db', 'api')).toEqual({USER: 'scoped'})
    expect(secrets.list(false, 'api').map((info) => info.app)).toEqual(['api'])
    await expect(secrets.rotate({name: 'db', app: 'web', values: boxed({USER: 'x'})})).rejects.toMatchObject({
      code: 'secret_not_found',
      message: expect.stringContaining('--app api'),
    })
  })

  it('refuses to delete a secret a live deployment uses, unless forced; a deleted one keeps no value', async () => {
    await secrets.create({name: 'db', values: boxed({PASS: 'p'})})
    usage.users.push({id: 'd-1', name: 'db', app: null, version: 1}, {id: 'd-2', name: 'db', app: null, version: 1})
    await expect(secrets.delete('db', false)).rejects.toMatchObject({
      code: 'secret_in_use',
      details: {deployments: ['d-1', 'd-2']},
    })
    expect(stored('db')).toEqual({PASS: 'p'})
    const row = t.store.findLive('db')
    const deleted = await secrets.delete('db', true)
    expect(deleted).toMatchObject({forcedDeployments: ['d-1', 'd-2'], secret: {usedBy: []}})
    expect(t.store.findLive('db')).toBeUndefined()
    expect(t.store.ciphertexts(row?.id ?? -1)).toEqual([])
    expect(secrets.list(true).map((info) => [info.name, info.deletedAt !== undefined])).toEqual([['db', true]])
    expect(t.store.audit(10).map((event) => event.event)).toEqual(['secret.created', 'secret.deleted'])
  })

  it('answers sealed for a passphrase store that is not unsealed, storing nothing', async () => {
    const lifecycle = new KeyLifecycle(sodium, t.store, new DataKey(sodium, t.store, keyring), noCache)
    await lifecycle.init('passphrase', new Uint8Array(Buffer.from('a long passphrase')), 'off')
    const sealedService = new SecretsService(t.store, new DataKey(sodium, t.store, keyring), sodium, transport, usage)
    await expect(sealedService.create({name: 'db', values: boxed({PASS: 'p'})})).rejects.toMatchObject({
      code: 'sealed',
    })
    expect(t.store.findLive('db')).toBeUndefined()
  })
})
