// --from-dotenv through the real CLI, agent and engine: every byte of every value reaches the
// container as written in the file, prototype-named keys included; a bad file stores nothing.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import type {SecretInfo, SubmitOutput} from '../../../src/api/contract.js'
import {errorLine} from '../../support/agent-tools.js'
import {dockerAvailable, removeDockerStore, SLEEPER, submitJson, TEST_IMAGE} from '../../support/docker.js'
import {makeHome, type TestHome} from '../../support/helpers.js'

const docker = await dockerAvailable('test/e2e/secrets/dotenv.e2e.test.ts')

let t: TestHome
afterEach(async () => {
  if (t) await removeDockerStore(t)
})

/** Each key's line(s) in the file, and the bytes the container must see. */
const entries: Array<[string, string, Buffer]> = [
  // Multi-line: travels in the docker client's own environment, not the env-file.
  [
    '__proto__',
    'export __proto__="line one\\n  line two\\ttab \\"quoted\\" \\\\ back"',
    Buffer.from('line one\n  line two\ttab "quoted" \\ back'),
  ],
  ['constructor', "constructor='  spaced # not a comment  '", Buffer.from('  spaced # not a comment  ')],
  ['toString', 'toString = plain # a comment', Buffer.from('plain')],
  ['UNICODE', 'UNICODE=caf\u00e9-\u{1F600}-\u20ac', Buffer.from('caf\u00e9-\u{1F600}-\u20ac')],
  ['EQUALS', 'EQUALS=a=b==c#not-a-comment', Buffer.from('a=b==c#not-a-comment')],
  ['CRLF', 'CRLF=windows line\r', Buffer.from('windows line')],
  ['MULTI', "MULTI='first\nsecond\r\nthird $HOME `x`'", Buffer.from('first\nsecond\r\nthird $HOME `x`')],
]

describe.skipIf(!docker)('--from-dotenv end to end', () => {
  it('stores every key, __proto__ and constructor too, the container reads each value byte for byte, rotate renames them', async () => {
    t = makeHome()
    const file = join(t.home, 'app.env')
    writeFileSync(file, `# tricky bytes\n\n${entries.map(([, line]) => line).join('\n')}\n`)
    await t.ok(['secrets', 'new', 'app', '--from-dotenv', file])
    const [info] = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(info.keys).toEqual(entries.map(([key]) => key).sort())

    const out = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'app', ...SLEEPER])
    // The container's own environment as the kernel holds it: KEY=VALUE entries separated by NUL.
    const read = await execa('docker', ['exec', out.containerId, 'cat', '/proc/1/environ'], {encoding: 'buffer'})
    const environ = Buffer.from(read.stdout)
    for (const [key, , bytes] of entries) {
      const entry = Buffer.concat([Buffer.from(`\0${key}=`), bytes, Buffer.from('\0')])
      expect(Buffer.concat([Buffer.from('\0'), environ]).includes(entry), key).toBe(true)
    }

    // rotate renames and removes them like any key, and renames to one.
    await t.ok(['secrets', 'rotate', 'app', '--rename', '__proto__=RENAMED', '--rename', 'toString=hasOwnProperty'])
    await t.ok(['secrets', 'rotate', 'app', '--remove', 'constructor', '--rename', 'UNICODE=__proto__'])
    const [rotated] = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(rotated.keys).toEqual(['CRLF', 'EQUALS', 'MULTI', 'RENAMED', '__proto__', 'hasOwnProperty'])
    expect(rotated.version).toBe(3)
  })

  it('refuses a file with a bad line, naming the line and storing nothing', async () => {
    t = makeHome()
    const token = 'sk-live-4c3b2a19f8e7'
    const bad: Array<[string, string | Buffer, string]> = [
      ['no-eq.env', `A=1\n${token}\n`, 'no-eq.env:2: this line is not KEY=VALUE'],
      ['open.env', `A=1\nB="${token}\n`, 'open.env:2: the value opened with " has no closing "'],
      ['twice.env', `__proto__=1\nconstructor=2\n__proto__=${token}\n`, 'twice.env:3: key __proto__ is given again'],
      [
        'utf8.env',
        Buffer.concat([Buffer.from(`A=1\nB=${token}`), Buffer.from([0xff, 0x0a])]),
        'utf8.env:2: this line is not valid UTF-8',
      ],
    ]
    for (const [name, content, says] of bad) {
      const file = join(t.home, name)
      writeFileSync(file, content)
      const result = await t.hush(['secrets', 'new', 'app', '--from-dotenv', file])
      expect(result.exitCode, name).toBe(2)
      expect(errorLine(result.stderr), name).toContain(says)
      expect(result.stderr + result.stdout, name).not.toContain(token)
    }
    expect(await t.json<SecretInfo[]>(['secrets', 'list'])).toEqual([])
  })
})
