// The store keeps the secrets list() read until its own next write: what a list shows after any
// write, a rolled-back one included, must be what SQLite holds.
import {describe, expect, it} from 'vitest'
import {storeForTest} from '../../../support/store.js'

const AT = '2026-11-22T00:00:00.000Z'

describe('Store.list', () => {
  const t = storeForTest('store')
  const names = (includeDeleted = false) => t.store.list(includeDeleted).map((row) => `${row.name}@${row.version}`)
  /** What SQLite holds, read past the store's own list. */
  const fromDisk = () =>
    (
      t.store.db.prepare('SELECT name, version FROM secrets WHERE deleted_at IS NULL ORDER BY name').all() as Array<{
        name: string
        version: number
      }>
    ).map((row) => `${row.name}@${row.version}`)

  it('shows every committed create, rotation and deletion at the next list', async () => {
    expect(names()).toEqual([])
    await t.store.commit(() => t.store.insertSecret('b', null, '', ['K'], AT))
    await t.store.commit(() => t.store.insertSecret('a', 'api', '', ['K'], AT))
    expect(names()).toEqual(['a@1', 'b@1'])
    const b = t.store.findLive('b')
    if (!b) throw new Error('b is missing')
    await t.store.commit(() => t.store.updateSecret({...b, version: 2, updatedAt: AT}))
    expect(names()).toEqual(['a@1', 'b@2'])
    await t.store.commit(() => t.store.updateSecret({...b, version: 2, deletedAt: AT}))
    expect(names()).toEqual(['a@1'])
    expect(names(true)).toEqual(['a@1', 'b@2'])
    expect(names()).toEqual(fromDisk())
  })

  it('shows nothing of a write that was rolled back, even when that write listed the secrets itself', async () => {
    await t.store.commit(() => t.store.insertSecret('kept', null, '', ['K'], AT))
    const failed = t.store.commit(() => {
      t.store.insertSecret('phantom', null, '', ['K'], AT)
      expect(names()).toEqual(['kept@1', 'phantom@1'])
      throw new Error('refused')
    })
    await expect(failed).rejects.toThrow('refused')
    expect(names()).toEqual(['kept@1'])
    expect(() =>
      t.store.transaction(() => {
        t.store.insertSecret('phantom', null, '', ['K'], AT)
        t.store.list(false)
        throw new Error('refused')
      }),
    ).toThrow('refused')
    expect(names()).toEqual(['kept@1'])
    expect(names()).toEqual(fromDisk())
  })
})
