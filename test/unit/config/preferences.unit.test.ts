// Per-store preferences (config/preferences.ts): the defaults without a file, what the file says,
// a one-line refusal naming the file and the fix for a broken one, and the agent's start, which
// writes the file private with every default and keeps what the user set. Real files.
import {chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  openPreferences,
  PREFERENCE_DEFAULTS,
  type Preferences,
  preference,
  preferencesFile,
} from '../../../src/config/preferences.js'
import {dirForTest} from '../../support/helpers.js'

function homeWith(text?: string): string {
  const home = dirForTest()
  if (text !== undefined) writeFileSync(join(home, 'preferences.json'), text, {mode: 0o600})
  return home
}

describe('preference', () => {
  it('answers the defaults when the store has no preferences file, and writes none', () => {
    const home = homeWith()
    for (const key of Object.keys(PREFERENCE_DEFAULTS) as (keyof Preferences)[])
      expect(preference(home, key)).toBe(PREFERENCE_DEFAULTS[key])
    expect(existsSync(preferencesFile(home))).toBe(false)
  })

  it('answers what the file sets, the default for what it leaves out, and ignores keys it does not know', () => {
    const home = homeWith(JSON.stringify({dockerContext: 'gpu', idleTimeoutSeconds: 0, someday: [1]}))
    expect(preference(home, 'dockerContext')).toBe('gpu')
    expect(preference(home, 'idleTimeoutSeconds')).toBe(0)
    expect(preference(home, 'warnSensitiveEnv')).toBe(true)
  })

  it.each([
    ['idleTimeoutSeconds', -1, 'a number of seconds, 0 or more'],
    ['idleTimeoutSeconds', '60', 'a number of seconds, 0 or more'],
    ['warnSensitiveEnv', 'no', 'true or false'],
    ['allowPlainTcp', 1, 'true or false'],
    ['dockerContext', null, 'a docker context name'],
    ['unsealTtl', 12, 'a duration'],
  ])('refuses %s = %j in one line naming the file and the fix, whichever preference is read', (key, value, what) => {
    const home = homeWith(JSON.stringify({[key]: value}))
    for (const read of ['dockerContext', 'warnSensitiveEnv'] as const) {
      expect(() => preference(home, read)).toThrow(`The ${key} preference in ${preferencesFile(home)} must be ${what}`)
    }
    expect(() => preference(home, 'allowPlainTcp')).toThrow(/: fix it, or remove it to use the default\.$/)
  })

  it.each([['{"dockerContext": '], ['[]'], ['"gpu"'], ['null']])(
    'refuses a file that is not a JSON object: %s',
    (text) => {
      const home = homeWith(text)
      expect(() => preference(home, 'dockerContext')).toThrow(
        `${preferencesFile(home)} is not a JSON object: fix it, or remove it to use the defaults.`,
      )
    },
  )

  it('says why it cannot read a file that is there', () => {
    const home = homeWith()
    // A directory where the file should be: EISDIR, as root reads any file.
    const file = preferencesFile(home)
    mkdirSync(file)
    expect(() => preference(home, 'dockerContext')).toThrow(`Cannot read ${file} (`)
  })
})

describe('openPreferences (the agent starting)', () => {
  it('writes the file private with every default, and keeps what the user set', async () => {
    const home = homeWith(JSON.stringify({idleTimeoutSeconds: 5}))
    chmodSync(preferencesFile(home), 0o644)
    const opened = await openPreferences(home)
    expect(opened).toEqual({...PREFERENCE_DEFAULTS, idleTimeoutSeconds: 5})
    expect(JSON.parse(readFileSync(preferencesFile(home), 'utf8'))).toEqual({
      ...PREFERENCE_DEFAULTS,
      idleTimeoutSeconds: 5,
    })
    expect(statSync(preferencesFile(home)).mode & 0o777).toBe(0o600)
  })

  it('refuses a broken file and leaves it as it was', async () => {
    const text = JSON.stringify({allowPlainTcp: 'yes'})
    const home = homeWith(text)
    await expect(openPreferences(home)).rejects.toThrow(`The allowPlainTcp preference in ${preferencesFile(home)}`)
    expect(readFileSync(preferencesFile(home), 'utf8')).toBe(text)
  })
})
