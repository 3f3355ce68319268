// The lean route of `secrets list` and `complete` (cli/lean-route.ts) against a real agent: it
// prints exactly what the full command prints, and takes nothing it cannot answer the same way
// (another command line, no agent, another version, an error, a silent socket), writing nothing and
// starting nothing then, so the full program runs. Who may answer is tested for both routes in
// test/e2e/agent/who-answers.e2e.test.ts, whose `secrets list` and `complete` go this way first.
import {chmodSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {PassThrough} from 'node:stream'
import {afterEach, describe, expect, it, vi} from 'vitest'
import type {IOStreams} from '../../../src/cli/io.js'
import {leanRoute} from '../../../src/cli/lean-route.js'
import Complete from '../../../src/commands/complete.js'
import SecretsList from '../../../src/commands/secrets/list.js'
import {ensureRuntimeDir, resolvePaths} from '../../../src/config/paths.js'
import {VERSION} from '../../../src/version.js'
import {homeForTest, type TestHome} from '../../support/helpers.js'
import {runAgainstStore} from '../../support/in-process.js'

afterEach(() => {
  vi.useRealTimers()
})

/** Runs ARGV the lean way in-process, on the store of T: whether it was taken, and what it wrote. */
async function lean(t: TestHome, argv: string[]): Promise<{taken: boolean; stdout: string}> {
  const stdout = new PassThrough()
  let text = ''
  stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
  })
  const io: IOStreams = {
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
    isTTY: {stdin: false, stdout: false, stderr: false},
    env: {...process.env, ...t.env},
    exitCode: 0,
  }
  const taken = await leanRoute(argv, io)
  return {taken, stdout: text}
}

/** Both routes at one instant (relative times alike): the lean one taken, and the same output as the full command's. */
async function sameAsFull(t: TestHome, argv: string[], Command: typeof SecretsList | typeof Complete, args: string[]) {
  vi.useFakeTimers({toFake: ['Date'], now: Date.now()})
  const viaLean = await lean(t, argv)
  const full = await runAgainstStore(t, Command, args)
  expect(full.exitCode, full.stderr).toBe(0)
  expect(viaLean).toEqual({taken: true, stdout: full.stdout})
  return viaLean.stdout
}

describe('the lean route', () => {
  it('`secrets list` prints the full command’s table: scopes, keys, wide characters, escaped controls', async () => {
    const t = homeForTest()
    await t.ok(['secrets', 'new', 'hf', '--from-stdin', 'HF_TOKEN', '--description', 'Hugging Face 模型'], {
      input: 'v1',
    })
    await t.ok(['secrets', 'new', 'db', '--from-stdin', 'PGPASSWORD', '--app', 'api'], {input: 'v2'})
    await t.ok(['secrets', 'new', 'odd', '--from-stdin', 'K', '--description', 'two\nlines\u001b[31m'], {input: 'v3'})
    await t.ok(['secrets', 'rotate', 'hf', '--from-stdin', 'HF_TOKEN'], {input: 'v4'})

    const out = await sameAsFull(t, ['secrets', 'list'], SecretsList, [])
    const lines = out.split('\n')
    expect(lines[0]).toMatch(/^NAME +SCOPE +KEYS +VERSION +UPDATED +USED BY +DESCRIPTION$/)
    expect(lines.slice(1, 4).sort()).toEqual([
      expect.stringMatching(/^db +app api +PGPASSWORD +1 +\d+s ago +- *$/),
      expect.stringMatching(/^hf +shared +HF_TOKEN +2 +\d+s ago +- +Hugging Face 模型$/),
      expect.stringMatching(/^odd +shared +K +1 +\d+s ago +- +two\\nlines\\u001b\[31m$/),
    ])
    expect(out).not.toContain('v1')
  })

  it('`secrets list` of an empty store says how to make one, as the full command does', async () => {
    const t = homeForTest()
    await t.ok(['daemon', 'start'])
    expect(await sameAsFull(t, ['secrets', 'list'], SecretsList, [])).toBe(
      'No secrets yet. Create one with: hush secrets new NAME --from-stdin KEY\n',
    )
  })

  it('`complete secrets` and `complete deployments` print the full command’s names', async () => {
    const t = homeForTest()
    await t.ok(['secrets', 'new', 'alpha', '--from-stdin', 'K'], {input: 'a'})
    await t.ok(['secrets', 'new', 'beta', '--from-stdin', 'K', '--app', 'web'], {input: 'b'})
    expect((await sameAsFull(t, ['complete', 'secrets'], Complete, ['secrets'])).split('\n').sort()).toEqual([
      '',
      'alpha',
      'beta',
    ])
    expect(await sameAsFull(t, ['complete', 'deployments'], Complete, ['deployments'])).toBe('')
  })

  it('takes no other command line: flags, more words, or words run together', async () => {
    const t = homeForTest()
    await t.ok(['secrets', 'new', 'alpha', '--from-stdin', 'K'], {input: 'a'})
    for (const argv of [
      ['secrets', 'list', '--json'],
      ['secrets', 'list', '--app', 'x'],
      ['secrets', 'list', 'alpha'],
      ['secrets list'],
      ['complete', 'secrets', '--help'],
      ['complete'],
      ['secrets', 'show', 'alpha'],
      [],
    ]) {
      expect(await lean(t, argv), argv.join(' ')).toEqual({taken: false, stdout: ''})
    }
  })

  it('with no agent it is not taken and starts none; `hush secrets list` then starts one and lists', async () => {
    const t = homeForTest()
    expect(await lean(t, ['secrets', 'list'])).toEqual({taken: false, stdout: ''})
    expect(await lean(t, ['complete', 'secrets'])).toEqual({taken: false, stdout: ''})
    expect(t.agentPid()).toBeUndefined()
    const listed = await t.ok(['secrets', 'list'])
    expect(listed.stdout).toBe('No secrets yet. Create one with: hush secrets new NAME --from-stdin KEY')
    expect(t.agentPid()).toBeDefined()
  })

  describe('on a socket that is not this version’s agent answering 200', () => {
    let server: Server | undefined
    afterEach(async () => {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
      server = undefined
    })

    /** Listens on the store's socket and answers each request with the next of ANSWERS (raw bytes). */
    async function fakeAgent(t: TestHome, answers: Array<(path: string) => string | undefined>): Promise<string[]> {
      const paths = resolvePaths({...process.env, ...t.env})
      ensureRuntimeDir(paths)
      const asked: string[] = []
      server = createServer((socket: Socket) => {
        let text = ''
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1')
          for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
            const path = text.slice(0, end).split(' ')[1]
            text = text.slice(end + 4)
            asked.push(path)
            const answer = answers[asked.length - 1]?.(path)
            if (answer !== undefined) socket.write(answer)
            if (asked.length === answers.length) socket.end()
          }
        })
        socket.on('error', () => {})
      })
      await new Promise<void>((resolve) => server?.listen(paths.socket, resolve))
      chmodSync(paths.socket, 0o600)
      return asked
    }

    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      return `HTTP/1.1 ${status} X\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
    }
    const hello = (version: string) => () => json(200, {version})
    const secrets = () => json(200, [])

    it('answers as this version would: taken (the reader is not tied to node:http)', async () => {
      const t = homeForTest()
      const asked = await fakeAgent(t, [hello(VERSION), secrets])
      expect(await lean(t, ['complete', 'secrets'])).toEqual({taken: true, stdout: ''})
      expect(asked).toEqual(['/v1/hello', '/v1/secrets'])
    })

    const refused: Array<[string, Array<(path: string) => string | undefined>]> = [
      ['another version', [hello('0.0.0-other'), secrets]],
      ['an error answer (a sealed store)', [hello(VERSION), () => json(503, {error: {code: 'sealed', message: 'x'}})]],
      [
        'no Content-Length (chunked)',
        [hello(VERSION), () => 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n'],
      ],
      ['an answer cut short', [hello(VERSION), () => 'HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n[]']],
      ['a body that is not JSON', [hello(VERSION), () => 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nx]']],
      ['not HTTP', [() => 'SSH-2.0-OpenSSH\r\n\r\n', secrets]],
    ]
    it.each(refused)('%s: not taken, nothing written', async (_label, answers) => {
      const t = homeForTest()
      await fakeAgent(t, answers)
      expect(await lean(t, ['secrets', 'list'])).toEqual({taken: false, stdout: ''})
    })

    it('silent (accepts, never answers): not taken within a few seconds', async () => {
      const t = homeForTest()
      await fakeAgent(t, [() => undefined, () => undefined])
      const started = Date.now()
      expect(await lean(t, ['secrets', 'list'])).toEqual({taken: false, stdout: ''})
      expect(Date.now() - started).toBeLessThan(5_000)
    })
  })
})
