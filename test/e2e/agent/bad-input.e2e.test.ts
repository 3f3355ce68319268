// Every bad input of the foundation: one line on stderr (or the JSON error shape with --json), the
// documented exit code, and nothing stored - through the CLI and raw over the socket.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import {MAX_BODY_BYTES, MAX_VALUE_BYTES} from '../../../src/api/limits.js'
import {agentProcesses, createRaw, errorLine, hello, rawConnection} from '../../support/agent-tools.js'
import {BIN, isAlive, makeHome, rawRequest, type TestHome, waitFor} from '../../support/helpers.js'

let t: TestHome
let outside: string
beforeAll(() => {
  t = makeHome()
  outside = mkdtempSync(join(tmpdir(), 'hush-bad-input-'))
})
afterAll(async () => {
  await t.cleanup()
  rmSync(outside, {recursive: true, force: true})
})

/**
 * Sends a request head and then its body in 64 KiB pieces, as a careful HTTP client does: it stops
 * sending once the agent has answered; the agent's answer as text, once the connection is closed.
 */
async function sendWhole(head: string, body: Buffer): Promise<string> {
  const outcome = await rawConnection(
    t.socket,
    (conn, receivedSoFar) => {
      let offset = 0
      const next = () => {
        if (receivedSoFar() !== '' || conn.destroyed || offset >= body.length) return
        const piece = body.subarray(offset, offset + 0x10000)
        offset += piece.length
        conn.write(piece, () => setTimeout(next, 1))
      }
      conn.write(head, () => setTimeout(next, 1))
    },
    30_000,
  )
  return outcome.received
}

async function names(): Promise<string[]> {
  return (await t.json<SecretInfo[]>(['secrets', 'list'])).map((secret) => secret.name)
}

interface Case {
  what: string
  args: string[]
  input?: string | Buffer
  env?: Record<string, string>
  exit: 1 | 2
  code: string
  /** A part of the one-line message. */
  says: RegExp
}

const big = 'x'.repeat(MAX_VALUE_BYTES + 1)
const cases: Case[] = [
  {
    what: 'an invalid secret name',
    args: ['secrets', 'new', 'bad/name', 'K=v'],
    exit: 2,
    code: 'invalid_name',
    says: /Invalid secret name \(not shown: it may be a value\): use 1-128 letters/,
  },
  {
    what: 'a secret name starting with a dot',
    args: ['secrets', 'new', '.hidden', 'K=v'],
    exit: 2,
    code: 'invalid_name',
    says: /Invalid secret name \(not shown/,
  },
  {
    what: 'an unknown flag',
    args: ['secrets', 'new', 'ok', 'K=v', '--bogus'],
    exit: 2,
    code: 'bad_request',
    says: /Nonexistent flag: --bogus \(see --help\)/,
  },
  {
    what: 'a secret name over 128 characters',
    args: ['secrets', 'new', 'n'.repeat(129), 'K=v'],
    exit: 2,
    code: 'invalid_name',
    says: /Invalid secret name/,
  },
  {
    what: 'a key starting with a digit',
    args: ['secrets', 'new', 'ok', '1ABC=v'],
    exit: 2,
    code: 'invalid_key',
    says: /Invalid key in argument 2 \(KEY=VALUE\) \(not shown: it may be a value\): a key is an env var name/,
  },
  {
    what: 'a key with a dash',
    args: ['secrets', 'new', 'ok', 'A-B=v'],
    exit: 2,
    code: 'invalid_key',
    says: /Invalid key in argument 2/,
  },
  {
    what: 'a 257-character key',
    args: ['secrets', 'new', 'ok', `${'K'.repeat(257)}=v`],
    exit: 2,
    code: 'invalid_key',
    says: /Invalid key in argument 2 .*at most 256 characters/,
  },
  {
    what: 'a duplicate key in one command',
    args: ['secrets', 'new', 'ok', 'K=a', 'K=b'],
    exit: 2,
    code: 'duplicate_key',
    says: /Key K is given twice/,
  },
  {
    what: 'a duplicate key across sources',
    args: ['secrets', 'new', 'ok', 'K=a', '--from-env', 'K'],
    env: {K: 'b'},
    exit: 2,
    code: 'duplicate_key',
    says: /Key K is given twice \(again by --from-env\)/,
  },
  {
    what: 'an empty value',
    args: ['secrets', 'new', 'ok', 'K='],
    exit: 2,
    code: 'invalid_value',
    says: /The value of K is empty/,
  },
  {
    what: 'an empty value through stdin',
    args: ['secrets', 'new', 'ok', '--from-stdin', 'K'],
    input: '\n',
    exit: 2,
    code: 'invalid_value',
    says: /The value of K is empty/,
  },
  {
    what: 'a NUL byte through stdin',
    args: ['secrets', 'new', 'ok', '--from-stdin', 'K'],
    input: Buffer.from('before\0after'),
    exit: 2,
    code: 'invalid_value',
    says: /The value of K contains a NUL byte/,
  },
  {
    what: 'invalid UTF-8 through stdin',
    args: ['secrets', 'new', 'ok', '--from-stdin', 'K'],
    input: Buffer.from([0x61, 0xff, 0xfe, 0x62]),
    exit: 2,
    code: 'invalid_value',
    says: /The value of K is not valid UTF-8/,
  },
  {
    what: 'a value over 64 KiB',
    args: ['secrets', 'new', 'ok', '--from-stdin', 'K'],
    input: big,
    exit: 2,
    code: 'invalid_value',
    says: /The value of K is 65537 bytes: the limit is 65536 bytes/,
  },
  {
    what: '--from-env of an unset variable',
    args: ['secrets', 'new', 'ok', '--from-env', 'HUSH_SURELY_UNSET_VAR'],
    exit: 2,
    code: 'bad_request',
    says: /--from-env HUSH_SURELY_UNSET_VAR: the variable HUSH_SURELY_UNSET_VAR is not set/,
  },
  {
    what: 'no values at all',
    args: ['secrets', 'new', 'ok'],
    exit: 2,
    code: 'empty_bundle',
    says: /at least one KEY=VALUE/,
  },
  {
    what: 'an argument that is not KEY=VALUE',
    args: ['secrets', 'new', 'ok', 'JUSTAKEY'],
    exit: 2,
    code: 'bad_request',
    says: /Argument 2 is not KEY=VALUE/,
  },
  {
    what: 'rotate with nothing to change',
    args: ['secrets', 'rotate', 'ok'],
    exit: 2,
    code: 'bad_request',
    says: /Nothing to rotate: give KEY=VALUE, --from-stdin KEY, --from-env KEY, --rename OLD=NEW or --remove KEY/,
  },
  {
    what: 'delete of a secret that does not exist',
    args: ['secrets', 'delete', 'nosuch'],
    exit: 1,
    code: 'secret_not_found',
    says: /No secret named nosuch: see `hush secrets list`/,
  },
  {
    what: 'rotate of a secret that does not exist',
    args: ['secrets', 'rotate', 'nosuch', 'K=v'],
    exit: 1,
    code: 'secret_not_found',
    says: /No secret named nosuch/,
  },
]

// Each case writes under its own name, so the final listing shows which one stored anything.
const named = cases.map((c, index) => ({...c, args: c.args.map((arg) => (arg === 'ok' ? `case-${index}` : arg))}))

describe('bad input through the CLI', () => {
  it.each(named)('$what: one line on stderr, exit $exit, the JSON error shape', async (c) => {
    const [human, json] = await Promise.all([
      t.hush(c.args, {input: c.input, env: c.env}),
      t.hush([...c.args, '--json'], {input: c.input, env: c.env}),
    ])
    expect(human.exitCode, human.stderr).toBe(c.exit)
    expect(human.stdout).toBe('')
    const line = errorLine(human.stderr)
    expect(line.startsWith('hush: ')).toBe(true)
    expect(line).toMatch(c.says)

    expect(json.exitCode).toBe(c.exit)
    const body = JSON.parse(json.stdout) as {error: {code: string; message: string}}
    expect(body.error.code).toBe(c.code)
    expect(body.error.message).toBe(line.slice('hush: '.length))
  })

  it('stored nothing for any of those cases (secrets list --json)', async () => {
    expect(await names()).toEqual([])
  })

  it('accepts the limits exactly: a 256-character key and a 64 KiB value', async () => {
    const key = `K${'_'.repeat(255)}`
    const ok = await t.hush(['secrets', 'new', 'limits', `${key}=v`, '--from-stdin', 'BIG'], {
      input: 'y'.repeat(MAX_VALUE_BYTES),
    })
    expect(ok.exitCode, ok.stderr).toBe(0)
    const [secret] = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(secret.keys.sort()).toEqual(['BIG', key].sort())
    expect((await t.hush(['secrets', 'delete', 'limits'])).exitCode).toBe(0)
    expect(await t.json<SecretInfo[]>(['secrets', 'list'])).toEqual([])
  })

  it('rejects an unreadable or empty dotenv file', async () => {
    const empty = join(outside, 'empty.env')
    writeFileSync(empty, '# nothing\n')
    for (const [file, says] of [
      [join(outside, 'missing.env'), /cannot read it \(ENOENT\)/],
      [empty, /no KEY=VALUE lines/],
    ] as const) {
      const result = await t.hush(['secrets', 'new', 'ok', '--from-dotenv', file])
      expect(result.exitCode).toBe(2)
      expect(errorLine(result.stderr)).toMatch(says)
    }
    const badKey = join(outside, 'bad-key.env')
    writeFileSync(badKey, 'GOOD=1\nBAD-KEY=2\n')
    const result = await t.hush(['secrets', 'new', 'ok', '--from-dotenv', badKey])
    expect(result.exitCode).toBe(2)
    expect(errorLine(result.stderr)).toBe(
      `hush: --from-dotenv ${badKey}:2: the key is invalid (not shown: it may be a value): a key is an env var name (letters, digits, '_', not starting with a digit), at most 256 characters.`,
    )
    expect(await names()).toEqual([])
  })

  it('never repeats a value typed where a key or name goes, and says where it was', async () => {
    // Fails the key rule ('-', '/', '+') and the name rule ('/', '+'): it reads as a pasted token.
    const token = 'sk-live/9f8e7d6c+5b4a'
    await t.ok(['secrets', 'new', 'echo', 'K=v'])
    const tries: Array<[string[], RegExp]> = [
      [
        ['secrets', 'new', 'ok', '--from-stdin', token],
        /^Invalid key in --from-stdin \(not shown: it may be a value\)/,
      ],
      [['secrets', 'new', 'ok', '--from-env', token], /^Invalid key in --from-env \(not shown/],
      [['secrets', 'new', 'ok', `${token}=v`], /^Invalid key in argument 2 \(KEY=VALUE\) \(not shown/],
      [['secrets', 'new', token, 'K=v'], /^Invalid secret name \(not shown: it may be a value\)/],
      [['secrets', 'rotate', 'echo', '--rename', `${token}=NEW`], /^Invalid key in --rename number 1 \(not shown/],
      [['secrets', 'rotate', 'echo', '--rename', `K=${token}`], /^Invalid key in --rename number 1 \(not shown/],
      [['secrets', 'rotate', 'echo', '--remove', token], /^Invalid key in --remove \(not shown/],
      [['secrets', 'show', token], /^Invalid secret name \(not shown/],
      [['submit', 'busybox:1.36', '--secret', token], /^Invalid secret name \(not shown/],
      [['submit', 'busybox:1.36', '--secret', `${token}=echo`], /^Invalid key in a --secret KEY=NAME \(not shown/],
      [['submit', 'busybox:1.36', '--env', `${token}=v`], /^Invalid key in --env number 1 \(not shown/],
      [['submit', 'busybox:1.36', '--name', token], /^Invalid --name \(not shown/],
    ]
    try {
      for (const [args, says] of tries) {
        const [human, json] = await Promise.all([
          t.hush(args, {input: 'value\n'}),
          t.hush([...args, '--json'], {input: 'value\n'}),
        ])
        expect(human.exitCode, args.join(' ')).toBe(2)
        expect(errorLine(human.stderr).slice('hush: '.length), args.join(' ')).toMatch(says)
        for (const out of [human.stdout, human.stderr, json.stdout, json.stderr]) {
          expect(out, args.join(' ')).not.toContain('9f8e7d6c')
        }
      }
      expect(await names()).toEqual(['echo'])
    } finally {
      await t.ok(['secrets', 'delete', 'echo'])
    }
  })
})

describe('bad input raw over the socket (the agent checks everything again)', () => {
  it('refuses bad names, keys and values sealed by any client, storing nothing', async () => {
    await t.hush(['daemon', 'start'])
    const {publicKey} = await hello(t.socket)
    const bad: Array<[string, Record<string, string | Uint8Array>, string]> = [
      ['-bad', {K: 'v'}, 'invalid_name'],
      ['ok', {'1ABC': 'v'}, 'invalid_key'],
      ['ok', {'A-B': 'v'}, 'invalid_key'],
      ['ok', {['K'.repeat(257)]: 'v'}, 'invalid_key'],
      ['ok', {}, 'empty_bundle'],
      ['ok', {K: ''}, 'invalid_value'],
      ['ok', {K: new Uint8Array([0x61, 0, 0x62])}, 'invalid_value'],
      ['ok', {K: new Uint8Array([0xc3, 0x28])}, 'invalid_value'],
      ['ok', {K: 'z'.repeat(MAX_VALUE_BYTES + 1)}, 'invalid_value'],
      ['ok', {GOOD: 'v', K: ''}, 'invalid_value'],
    ]
    for (const [name, values, code] of bad) {
      const response = await createRaw(t.socket, publicKey, name, values)
      expect(response.status, JSON.stringify(values).slice(0, 80)).toBe(400)
      expect((response.json as {error: {code: string}}).error.code).toBe(code)
    }
    const plain = await rawRequest(
      t.socket,
      'POST',
      '/v1/secrets',
      JSON.stringify({name: 'ok', values: {K: 'not-sealed'}}),
      {'content-type': 'application/json'},
    )
    expect(plain.status).toBe(400)
    expect((plain.json as {error: {code: string}}).error.code).toBe('unopenable_value')
    expect(await names()).toEqual([])
  })

  it('answers 413 to a body over 1 MiB, 400 to malformed JSON, 404 to an unknown route, 405 to a wrong method', async () => {
    await t.hush(['daemon', 'start'])
    const {publicKey} = await hello(t.socket)
    // A client that sends a whole body over 1 MiB (declared), then one sent in chunks (no length):
    // both refused with 413 and the connection closed, whatever the client was still writing.
    const huge = JSON.stringify({name: 'huge', values: {}, pad: 'p'.repeat(MAX_BODY_BYTES)})
    const tooLarge = await sendWhole(
      `POST /v1/secrets HTTP/1.1\r\nHost: hush\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(huge)}\r\n\r\n`,
      Buffer.from(huge),
    )
    expect(tooLarge).toMatch(/^HTTP\/1\.1 413 /)
    expect(tooLarge).toContain('"code":"payload_too_large"')

    const sealed = await createRaw(t.socket, publicKey, 'probe', {K: 'v'})
    expect(sealed.status).toBe(200)
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')])
    const chunked = await sendWhole(
      'POST /v1/secrets/probe/rotate HTTP/1.1\r\nHost: hush\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      Buffer.concat([...Array.from({length: 20}, () => chunk), Buffer.from('0\r\n\r\n')]),
    )
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /)

    const cases: Array<[string, string, string | undefined, number, string]> = [
      ['POST', '/v1/secrets', '{"name": "x", "values": ', 400, 'bad_request'],
      ['POST', '/v1/secrets', '[1, 2]', 400, 'bad_request'],
      ['GET', '/v1/nope', undefined, 404, 'not_found'],
      ['GET', '/v2/secrets', undefined, 404, 'not_found'],
      ['GET', '/', undefined, 404, 'not_found'],
      ['PUT', '/v1/secrets', '{}', 405, 'method_not_allowed'],
      ['DELETE', '/v1/secrets', undefined, 405, 'method_not_allowed'],
      ['GET', '/v1/secrets/probe/rotate', undefined, 405, 'method_not_allowed'],
      ['DELETE', '/v1/secrets/%ZZ', undefined, 400, 'bad_request'],
      ['POST', '/v1/secrets/%E0%A4%A/rotate', '{}', 400, 'bad_request'],
    ]
    for (const [method, path, body, status, code] of cases) {
      const response = await rawRequest(t.socket, method, path, body, body ? {'content-type': 'application/json'} : {})
      expect(response.status, `${method} ${path}`).toBe(status)
      const error = (response.json as {error: {code: string; message: string}}).error
      expect(error.code).toBe(code)
      expect(error.message.includes('\n')).toBe(false)
    }
    // The agent is still healthy and only the probe was stored, at version 1.
    const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed.map((secret) => [secret.name, secret.version])).toEqual([['probe', 1]])
    expect((await t.hush(['secrets', 'delete', 'probe'])).exitCode).toBe(0)
  })

  it('keeps the connection after refusing a small body unread (404, 405, bad path): the next request on it is answered', async () => {
    await t.hush(['daemon', 'start'])
    const body = '{"name": "kept", "values": {}}'
    const refused = [
      `PUT /v1/secrets HTTP/1.1\r\nHost: hush\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      `POST /v1/nope HTTP/1.1\r\nHost: hush\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      `POST /v1/secrets/%E0%A4%A/rotate HTTP/1.1\r\nHost: hush\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    ]
    const last = 'GET /v1/hello HTTP/1.1\r\nHost: hush\r\nConnection: close\r\n\r\n'
    // One connection, the requests one after another (pipelined): each is answered, in order.
    const outcome = await rawConnection(t.socket, (conn) => conn.write([...refused, last].join('')), 10_000)
    const statuses = [...outcome.received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]))
    expect(statuses).toEqual([405, 404, 400, 200])
    expect(await names()).toEqual([])
  })
})

describe('no keyring reachable', () => {
  for (const [label, bus] of [
    ['a D-Bus address that points nowhere', 'unix:path=/nonexistent/hush-test-bus'],
    ['no D-Bus address at all', undefined],
  ] as const) {
    it(`says what is missing and how to fix it (${label}), exit 1, nothing stored`, async () => {
      const k = makeHome()
      try {
        const env = {...process.env, ...k.env, DBUS_SESSION_BUS_ADDRESS: bus}
        if (bus === undefined) delete env.DBUS_SESSION_BUS_ADDRESS
        const run = (args: string[]) =>
          execa(process.execPath, [BIN, ...args], {env, extendEnv: false, reject: false, timeout: 45_000})
        const result = await run(['secrets', 'new', 'nokey', 'K=v'])
        expect(result.timedOut).toBe(false)
        expect(result.exitCode, result.stderr).toBe(1)
        expect(result.stdout).toBe('')
        const line = errorLine(result.stderr)
        // What is missing (the reason names the bus), then how to fix it.
        expect(line).toMatch(
          bus === undefined
            ? /^hush: The OS keyring is not reachable \(no D-Bus session bus\): start a Secret Service/
            : /^hush: The OS keyring is not reachable \(the D-Bus session bus unix:path=\/nonexistent\/hush-test-bus does not answer\): start a Secret Service/,
        )
        expect(line).toContain('hush init --keyring passphrase')

        const json = await run(['secrets', 'new', 'nokey', 'K=v', '--json'])
        expect(json.exitCode).toBe(1)
        expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'keyring_unavailable'}})

        const listed = await run(['secrets', 'list', '--json', '--include-deleted'])
        expect(listed.exitCode, listed.stderr).toBe(0)
        expect(JSON.parse(listed.stdout)).toEqual([])
      } finally {
        await k.cleanup()
        await waitFor(() => agentProcesses(k.home).every((pid) => !isAlive(pid)), 10_000)
      }
    })
  }
})
