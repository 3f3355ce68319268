// The per-key lock: actions on one key run one at a time in arrival order, an error stays with its
// own action, other keys do not wait, and an idle key holds nothing.
import {describe, expect, it} from 'vitest'
import {KeyedLock} from '../../../../src/daemon/process/keyed-lock.js'

/** A promise and the functions that settle it. */
function gate(): {promise: Promise<void>; open(): void} {
  let open = () => {}
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return {promise, open}
}

describe('KeyedLock', () => {
  it('runs the actions on one key one after the other, in the order they came', async () => {
    const lock = new KeyedLock()
    const log: string[] = []
    const first = gate()
    const a = lock.run('d-1', async () => {
      log.push('a starts')
      await first.promise
      log.push('a ends')
      return 'a'
    })
    const b = lock.run('d-1', async () => {
      log.push('b starts')
      return 'b'
    })
    await Promise.resolve()
    expect(log).toEqual(['a starts'])
    first.open()
    expect(await Promise.all([a, b])).toEqual(['a', 'b'])
    expect(log).toEqual(['a starts', 'a ends', 'b starts'])
  })

  it('gives each action its own error and goes on with the next', async () => {
    const lock = new KeyedLock()
    const failing = lock.run('k', async () => {
      throw new Error('docker failed')
    })
    const next = lock.run('k', async () => 'ran')
    await expect(failing).rejects.toThrow('docker failed')
    await expect(next).resolves.toBe('ran')
  })

  it('lets another key run while one waits, and forgets a key once it is idle', async () => {
    const lock = new KeyedLock<string>()
    const held = gate()
    const slow = lock.run('a', () => held.promise)
    expect(lock.busy('a')).toBe(true)
    await expect(lock.run('b', async () => 'b ran')).resolves.toBe('b ran')
    expect(lock.busy('a')).toBe(true)
    held.open()
    await slow
    await new Promise((resolve) => setImmediate(resolve))
    expect(lock.busy('a')).toBe(false)
    expect(lock.busy('b')).toBe(false)
  })
})
