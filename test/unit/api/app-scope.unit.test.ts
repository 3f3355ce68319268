// What the picker offers a deployment: each secret name once, as that deployment would resolve it.
import {describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import {visibleSecrets} from '../../../src/cli/pick.js'

function secret(name: string, app: string | null): SecretInfo {
  const at = new Date(0).toISOString()
  return {name, app, keys: ['K'], description: '', version: 1, createdAt: at, updatedAt: at, usedBy: []}
}

describe('visibleSecrets', () => {
  const all = [secret('db', null), secret('db', 'api'), secret('db', 'web'), secret('hf', null), secret('solo', 'api')]

  it('shows only shared secrets to a deployment without an app', () => {
    expect(visibleSecrets(all, undefined).map((s) => [s.name, s.app])).toEqual([
      ['db', null],
      ['hf', null],
    ])
  })

  it("shows an app its own secret instead of the shared one of the same name, and not other apps'", () => {
    expect(visibleSecrets(all, 'api').map((s) => [s.name, s.app])).toEqual([
      ['db', 'api'],
      ['hf', null],
      ['solo', 'api'],
    ])
  })
})
