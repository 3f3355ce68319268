// Commands run in-process with their own streams and an in-process agent (test/support/in-process.ts):
// what a user sees on stdout and stderr, and the exit code; then the contract's checks before dispatch.
import {describe, expect, it} from 'vitest'
import {routes} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import {asHushError} from '../../../src/client/socket-errors.js'
import SecretsDelete from '../../../src/commands/secrets/delete.js'
import {checkInput, fromQuery} from '../../../src/daemon/http/route-input.js'
import {inProcessAgent} from '../../support/in-process.js'

const agent = inProcessAgent(({record}) => ({
  deleteSecret: (input) => {
    record('deleteSecret', input)
    throw new HushError('secret_in_use', `Secret ${input.name} is used by live deployment d-1: terminate it first.`, {
      deployments: ['d-1'],
    })
  },
}))
const {received, run} = agent

describe('commands in-process, with a fake IO and an in-process agent', () => {
  it('an agent error is one line on stderr with its exit code, or the error shape under --json', async () => {
    const plain = await run(SecretsDelete, ['hf'])
    expect(plain.exitCode).toBe(1)
    expect(plain.stdout).toBe('')
    expect(plain.stderr).toBe('hush: Secret hf is used by live deployment d-1: terminate it first.\n')

    const json = await run(SecretsDelete, ['hf', '--json'])
    expect(json.exitCode).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'secret_in_use',
        message: 'Secret hf is used by live deployment d-1: terminate it first.',
        deployments: ['d-1'],
      },
    })
  })

  it('--force without a terminal asks for --yes, naming the deployments, after the refusal', async () => {
    const result = await run(SecretsDelete, ['hf', '--force'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/^hush: This would delete secret hf, used by live deployment d-1: .*add --yes\.\n$/)
    expect(received).toEqual([{route: 'deleteSecret', input: {name: 'hf'}}])
  })

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
