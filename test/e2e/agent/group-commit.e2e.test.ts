// Writes that arrive together share one commit (group commit in the store): each still sees the
// ones before it, a refused write undoes nothing of the others, and no write is applied twice.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {AuditEvent, SecretInfo} from '../../../src/api/contract.js'
import {createRaw, hello, sealAll} from '../../support/agent-tools.js'
import {makeHome, rawRequest, type TestHome} from '../../support/helpers.js'

let t: TestHome
let publicKey: string
beforeAll(async () => {
  t = makeHome()
  expect((await t.hush(['daemon', 'start'])).exitCode).toBe(0)
  publicKey = (await hello(t.socket)).publicKey
})
afterAll(async () => {
  await t.cleanup()
})

const audit = async (secret: string) =>
  (await t.json<AuditEvent[]>(['audit'])).filter((event) => event.secret === secret)

describe('writes arriving together', () => {
  it('orders concurrent writes of one name, refuses repeats, and keeps the others of a group', async () => {
    const creates = await Promise.all(
      Array.from({length: 16}, (_, i) => createRaw(t.socket, publicKey, 'same', {K: `v${i}`})),
    )
    expect(creates.map((response) => response.status)).toEqual(Array(16).fill(200))
    const versions = creates.map((response) => (response.json as {secret: SecretInfo}).secret.version)
    expect(versions.sort((a, b) => a - b)).toEqual(Array.from({length: 16}, (_, i) => i + 1))
    expect((await audit('same')).map((event) => event.version).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({length: 16}, (_, i) => i + 1),
    )

    const deletes = await Promise.all(Array.from({length: 8}, () => rawRequest(t.socket, 'DELETE', '/v1/secrets/same')))
    expect(deletes.map((response) => response.status).sort()).toEqual([200, ...Array(7).fill(404)])
    expect((await audit('same')).filter((event) => event.event === 'secret.deleted')).toHaveLength(1)

    // A rotate of a missing secret, refused, among creates that all land.
    const rotate = async () =>
      rawRequest(
        t.socket,
        'POST',
        '/v1/secrets/missing/rotate',
        JSON.stringify({values: await sealAll(publicKey, {K: 'x'})}),
        {'content-type': 'application/json'},
      )
    const mixed = await Promise.all([
      ...['a', 'b', 'c', 'd'].map((name) => createRaw(t.socket, publicKey, name, {K: name})),
      rotate(),
      ...['e', 'f', 'g', 'h'].map((name) => createRaw(t.socket, publicKey, name, {K: name})),
    ])
    expect(mixed.map((response) => response.status)).toEqual([200, 200, 200, 200, 404, 200, 200, 200, 200])
    const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed.map((secret) => [secret.name, secret.version])).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((name) => [name, 1]),
    )
  })
})
