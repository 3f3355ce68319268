// Between a command and the agent: a route the in-process agent (test/support/in-process.ts) has no
// handler for, the contract's checks before dispatch, and failures on the way to the agent. Each
// command's own in-process tests are test/unit/commands/<command>.unit.test.ts.
import {describe, expect, it} from 'vitest'
import {routes} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import {asHushError} from '../../../src/client/socket-errors.js'
import {checkInput, fromQuery} from '../../../src/daemon/http/route-input.js'
import {inProcessAgent} from '../../support/in-process.js'

const agent = inProcessAgent(() => ({}))

describe('the in-process agent', () => {
  it('a route with no handler is a bug: 500 internal for the user, its stack in the agent’s log', async () => {
    const client = agent.client()
    try {
      const error = await client.call(routes.audit, {}).catch((failure: unknown) => failure)
      expect(error).toMatchObject({code: 'internal', message: 'The hush agent hit an internal error: see its log.'})
      expect(agent.log.at(-1)).toMatch(/^GET \/v1\/audit failed: TypeError: .*\n\s+at /)
    } finally {
      await client.close()
    }
  })
})

describe('the contract, checked before dispatch', () => {
  const refusal = (action: () => unknown): HushError => {
    try {
      action()
    } catch (error) {
      if (error instanceof HushError) return error
      throw error
    }
    throw new Error('not refused')
  }

  it('refuses a wrong type with one line naming the field and what it must be, never the value', () => {
    const secret = 'hf_never-echo-this-value'
    const cases: Array<[Parameters<typeof checkInput>[0], Record<string, unknown>, string, RegExp]> = [
      [routes.init.input, {keyring: secret}, 'keyring', /^`keyring` must be "os" or "passphrase"\.$/],
      [routes.listSecrets.input, {app: 5}, 'app', /^`app` must be a string\.$/],
      [routes.submit.input, {image: 'busybox', warn: 'false'}, 'warn', /^`warn` must be true or false\.$/],
      [routes.submit.input, {image: 'busybox', env: secret}, 'env', /^`env` must be a list\.$/],
      [routes.submit.input, {image: 'busybox', env: [7]}, 'env.0', /^`env\.0` must be a string\.$/],
      [routes.createSecret.input, {name: 'x', values: {A: 7}}, 'values', /^`values` must be an object of KEY/],
      [routes.unseal.input, {}, 'passphrase', /^`passphrase` is required\.$/],
      [routes.terminate.input, {id: 'd', grace: 1.5}, 'grace', /^`grace` must be a whole number of seconds/],
    ]
    for (const [schema, input, field, message] of cases) {
      const error = refusal(() => checkInput(schema, input, 'request body'))
      expect(error.code).toBe('bad_request')
      expect(error.details.field, JSON.stringify(input)).toBe(field)
      expect(error.message).toMatch(message)
      expect(error.message).not.toContain(secret)
    }
  })

  it('refuses an unknown field by name, and keeps keys such as __proto__ in a bundle', () => {
    const unknown = refusal(() => checkInput(routes.submit.input, {image: 'busybox', privileged: true}, 'request body'))
    expect(unknown.details.field).toBe('privileged')
    expect(unknown.message).toMatch(/^Unknown field "privileged" in the request body: this route takes image, /)
    const values = JSON.parse('{"__proto__": "s1", "constructor": "s2"}') as Record<string, string>
    const input = checkInput(routes.createSecret.input, {name: 'proto', values}, 'request body')
    expect(Object.keys(input.values as object)).toEqual(['__proto__', 'constructor'])
  })

  it('turns query text into the booleans and numbers of the schema, and only there', () => {
    const query = fromQuery(routes.listSecrets.input, new URLSearchParams('includeDeleted=true&shared=0&app=api'))
    expect({...query}).toEqual({includeDeleted: true, shared: false, app: 'api'})
    expect({...fromQuery(routes.audit.input, new URLSearchParams('limit=5'))}).toEqual({limit: 5})
    const bad = refusal(() =>
      checkInput(routes.audit.input, fromQuery(routes.audit.input, new URLSearchParams('limit=abc')), 'query'),
    )
    expect(bad.message).toBe('`limit` must be a whole number from 1 to 100000.')
  })
})

describe('failures on the way to the agent', () => {
  it('only a failed socket is daemon_unreachable; anything else stays a bug (internal)', () => {
    for (const code of ['ECONNREFUSED', 'ENOENT', 'EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']) {
      const error = Object.assign(new Error(`connect ${code} /run/hush.sock`), {code})
      expect(asHushError(error).code, code).toBe('daemon_unreachable')
    }
    const wrapped = new TypeError('fetch failed', {cause: Object.assign(new Error('refused'), {code: 'ECONNREFUSED'})})
    expect(asHushError(wrapped).code).toBe('daemon_unreachable')
    expect(asHushError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({
      code: 'internal',
      message: "Unexpected error: Cannot read properties of undefined (reading 'x')",
    })
    expect(asHushError(Object.assign(new Error('no such file'), {code: 'EACCES'})).code).toBe('internal')
  })
})
