// `--env KEY=VALUE` pairs: the one shape check the CLI and the agent both run, and the agent's parse.
import {describe, expect, it} from 'vitest'
import {checkEnvPairs, parsePlainEnv} from '../../../src/api/rules/env-pairs.js'

describe('--env pairs', () => {
  it('names a pair without KEY= by its position, never by its text, on both ends', () => {
    const message = '--env number 2 is not KEY=VALUE: write --env KEY=VALUE.'
    for (const pairs of [
      ['A=1', 's3cr3t-value'],
      ['A=1', '=s3cr3t-value'],
    ]) {
      expect(() => checkEnvPairs(pairs)).toThrow(message)
      expect(() => parsePlainEnv(pairs)).toThrow(message)
    }
    expect(() => checkEnvPairs(['A=1', 'B='])).not.toThrow()
  })

  it('parses pairs into a plain env, an empty value kept, a key twice refused', () => {
    expect(parsePlainEnv(['A=1', 'B=', 'C=x=y'])).toEqual({A: '1', B: '', C: 'x=y'})
    expect(() => parsePlainEnv(['A=1', 'A=2'])).toThrow('--env A is given twice: give it once.')
  })
})
