// The one TTL parser (`--ttl`, the unsealTtl preference, the unseal and init routes).
import {describe, expect, it} from 'vitest'
import {parseTtl} from '../../../src/api/rules/ttl.js'

describe('parseTtl', () => {
  it('reads durations, boot and off', () => {
    expect(parseTtl('12h')).toBe(43_200)
    expect(parseTtl('1h30m')).toBe(5_400)
    expect(parseTtl('2s')).toBe(2)
    expect(parseTtl('7d')).toBe(604_800)
    expect(parseTtl(' 1W ')).toBe(604_800)
    expect(parseTtl('boot')).toBe(0)
    expect(parseTtl('off')).toBe('off')
  })

  it('refuses anything else', () => {
    for (const text of ['', '0', '0h', '12', 'h', '12 hours', '-1h', '1.5h', '1y', 'never', '9999999999s', '5000w']) {
      expect(parseTtl(text), text).toBeUndefined()
    }
  })
})
