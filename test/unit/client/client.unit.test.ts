// The client side without an agent: how requestFor lays out each route's input, and how values are
// collected from dotenv files and the environment before they are sealed.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'
import {routes} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import {boxValues, collectValues} from '../../../src/cli/values.js'
import {requestFor} from '../../../src/client/client.js'
import {loadSodium} from '../../../src/crypto/sodium.js'
import {newTransportKeys, openBox} from '../../../src/crypto/transport.js'

describe('requestFor', () => {
  it('puts path parameters in the path, the rest in the body for POST', () => {
    expect(requestFor(routes.hello, {})).toEqual({path: '/v1/hello'})
    expect(requestFor(routes.createSecret, {name: 'a', values: {K: 'sealed'}, description: undefined})).toEqual({
      path: '/v1/secrets',
      body: '{"name":"a","values":{"K":"sealed"}}',
    })
    expect(requestFor(routes.rotateSecret, {name: 'a.b-c', values: {K: 's'}})).toEqual({
      path: '/v1/secrets/a.b-c/rotate',
      body: '{"values":{"K":"s"}}',
    })
    expect(requestFor(routes.shutdown, {})).toEqual({path: '/v1/shutdown', body: '{}'})
  })

  it('puts the rest in the query for GET and DELETE, leaving out undefined fields', () => {
    expect(requestFor(routes.listSecrets, {})).toEqual({path: '/v1/secrets'})
    expect(requestFor(routes.listSecrets, {includeDeleted: true})).toEqual({path: '/v1/secrets?includeDeleted=true'})
    expect(requestFor(routes.listSecrets, {includeDeleted: undefined})).toEqual({path: '/v1/secrets'})
    expect(requestFor(routes.deleteSecret, {name: 'x', force: true})).toEqual({path: '/v1/secrets/x?force=true'})
    expect(requestFor(routes.audit, {limit: 5})).toEqual({path: '/v1/audit?limit=5'})
  })

  it('round-trips any name through the path, even one with / ? # % or non-ASCII', () => {
    fc.assert(
      fc.property(fc.string({minLength: 1, unit: 'grapheme'}), (name) => {
        const {path} = requestFor(routes.deleteSecret, {name})
        const match = /^\/v1\/secrets\/([^/?#]+)$/.exec(path)
        return match !== null && decodeURIComponent(match[1]) === name
      }),
    )
  })
})

describe('collectValues', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hush-values-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  let count = 0
  const dotenv = (text: string) => {
    const file = join(dir, `${count++}.env`)
    writeFileSync(file, text)
    return file
  }
  const text = async (sources: Parameters<typeof collectValues>[0]) =>
    Object.fromEntries([...(await collectValues(sources))].map(([key, value]) => [key, Buffer.from(value).toString()]))
  const failure = async (sources: Parameters<typeof collectValues>[0]) => {
    try {
      await collectValues(sources)
    } catch (error) {
      expect(error).toBeInstanceOf(HushError)
      return {code: (error as HushError).code, message: (error as HushError).message}
    }
    throw new Error('expected collectValues to fail')
  }

  it('reads dotenv files: comments, export, quotes, inline comments, escapes, CRLF', async () => {
    const file = dotenv(
      [
        '# a comment',
        '',
        'PLAIN=value',
        'export EXPORTED=yes',
        'SPACED = around ',
        'DOUBLE="two words # not a comment"',
        "SINGLE='literal \\n stays'",
        'HASH=abc # trailing comment',
        'MULTI="line1\\nline2"',
        'EQUALS=a=b=c',
        'CRLF=windows\r',
        '',
      ].join('\n'),
    )
    expect(await text({pairs: [], fromDotenv: file})).toEqual({
      PLAIN: 'value',
      EXPORTED: 'yes',
      SPACED: 'around',
      DOUBLE: 'two words # not a comment',
      SINGLE: 'literal \\n stays',
      HASH: 'abc',
      MULTI: 'line1\nline2',
      EQUALS: 'a=b=c',
      CRLF: 'windows',
    })
  })

  it('refuses an empty value, a bad key or a key also given elsewhere in a dotenv file', async () => {
    expect(await failure({pairs: [], fromDotenv: dotenv('EMPTY=\nOK=1\n')})).toMatchObject({
      code: 'invalid_value',
      message: 'The value of EMPTY is empty: give at least one byte.',
    })
    expect((await failure({pairs: [], fromDotenv: dotenv('my.key=1\n')})).code).toBe('invalid_key')
    expect(await failure({pairs: ['K=a'], fromDotenv: dotenv('K=b\n')})).toMatchObject({
      code: 'duplicate_key',
      message: 'Key K is given twice (again by --from-dotenv): give each key once.',
    })
    expect((await failure({pairs: [], fromDotenv: dotenv('\n# only comments\n')})).message).toMatch(
      /no KEY=VALUE lines in it/,
    )
  })

  it('takes --from-env values as they are, including spaces and newlines', async () => {
    process.env.HUSH_UNIT_MULTILINE = ' spaced\nvalue '
    try {
      expect(await text({pairs: ['A=1=2'], fromEnv: ['HUSH_UNIT_MULTILINE']})).toEqual({
        A: '1=2',
        HUSH_UNIT_MULTILINE: ' spaced\nvalue ',
      })
    } finally {
      delete process.env.HUSH_UNIT_MULTILINE
    }
    expect((await failure({pairs: [], fromEnv: ['1BAD']})).code).toBe('invalid_key')
    expect((await failure({pairs: ['=v']})).message).toMatch(/^Argument 2 is not KEY=VALUE/)
  })

  it('seals every value so that only the agent key opens it', async () => {
    const sodium = await loadSodium()
    const keys = newTransportKeys(sodium)
    const values = await collectValues({pairs: ['A=alpha', 'B=βeta']})
    const sealed = await boxValues(sodium.to_base64(keys.publicKey, sodium.base64_variants.ORIGINAL), values)
    expect(Object.keys(sealed)).toEqual(['A', 'B'])
    expect(JSON.stringify(sealed)).not.toMatch(/alpha|βeta/)
    expect(Buffer.from(openBox(sodium, keys, sealed.B)!).toString()).toBe('βeta')
    const other = newTransportKeys(sodium)
    expect(openBox(sodium, other, sealed.A)).toBeUndefined()
  })
})
