// Renaming and removing keys of a bundle in place (`secrets rotate --rename OLD=NEW --remove KEY`):
// the request's shape, and every rule checked against the bundle's keys before anything changes.
import {HushError} from '../../api/errors.js'
import {checkKey} from '../../api/limits.js'

export interface KeyEdits {
  /** OLD -> NEW, in the order given. */
  rename: Map<string, string>
  remove: Set<string>
}

/** The `rename` and `remove` fields of a rotate request (typed by the contract), each key checked like any key. */
export function readKeyEdits(rename: Record<string, string> | undefined, remove: string[] | undefined): KeyEdits {
  const edits: KeyEdits = {rename: new Map(), remove: new Set()}
  for (const [from, to] of Object.entries(rename ?? {}))
    edits.rename.set(checkKey(from, '--rename OLD=NEW'), checkKey(to, '--rename OLD=NEW'))
  if (remove !== undefined) {
    for (const key of remove) {
      if (edits.remove.has(checkKey(key, '--remove'))) {
        throw new HushError('duplicate_key', `Key ${key} is given twice to --remove.`)
      }
      edits.remove.add(key)
    }
  }
  return edits
}

export function hasKeyEdits(edits: KeyEdits): boolean {
  return edits.rename.size > 0 || edits.remove.size > 0
}

/**
 * Refuses an edit that does not fit secret `name` with keys `current` when `given` keys get new
 * values in the same change: each message names the key and the fix, never a value.
 */
export function checkKeyEdits(
  name: string,
  current: readonly string[],
  given: readonly string[],
  edits: KeyEdits,
): void {
  const has = new Set(current)
  const unknown = (key: string, flag: string) =>
    new HushError('bad_request', `Secret ${name} has no key ${key} to ${flag} (its keys: ${current.join(', ')}).`)
  const targets = new Set<string>()
  for (const [from, to] of edits.rename) {
    if (from === to)
      throw new HushError('bad_request', `--rename ${from}=${to} renames a key to itself: give a new name.`)
    if (!has.has(from)) throw unknown(from, 'rename')
    if (edits.remove.has(from)) {
      throw new HushError('bad_request', `Key ${from} is both renamed and removed: choose one.`)
    }
    // A key that stays (or another rename's target) already holds the new name.
    if ((has.has(to) && !edits.rename.has(to) && !edits.remove.has(to)) || targets.has(to)) {
      throw new HushError(
        'duplicate_key',
        `Secret ${name} already has a key ${to}: --remove ${to} first, or rename ${from} to another name.`,
      )
    }
    targets.add(to)
    if (given.includes(from)) {
      throw new HushError(
        'bad_request',
        `Key ${from} is renamed to ${to}: give its new value as ${to}=..., not ${from}.`,
      )
    }
  }
  for (const key of edits.remove) {
    if (!has.has(key)) throw unknown(key, 'remove')
    if (given.includes(key))
      throw new HushError('bad_request', `Key ${key} is both given a value and removed: choose one.`)
  }
  const left = current.filter((key) => !edits.remove.has(key)).length + given.filter((key) => !has.has(key)).length
  if (left === 0) {
    throw new HushError(
      'empty_bundle',
      `Removing ${[...edits.remove].join(', ')} would leave secret ${name} with no key: delete the secret instead (\`hush secrets delete ${name}\`).`,
    )
  }
}

/** The bundle after the edits: renamed values moved to their new keys, removed ones dropped (and wiped by `wipe`). */
export function applyKeyEdits<V>(values: Map<string, V>, edits: KeyEdits, wipe: (value: V) => void): Map<string, V> {
  const result = new Map<string, V>()
  for (const [key, value] of values) {
    if (edits.remove.has(key)) wipe(value)
    else result.set(edits.rename.get(key) ?? key, value)
  }
  return result
}
