// Redaction as a user sees it through the real agent and a real container: `echo $VALUE` of a value
// with spaces is masked, and `submit --wait` / `logs --follow` show each line while the container
// still runs (only bytes that can still become a value wait), with a short token and a 64 KiB value.
import {randomBytes} from 'node:crypto'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {SubmitOutput} from '../src/api/contract.js'
import {dockerAvailable, removeDockerStore, submitJson, TEST_IMAGE} from './docker.js'
import {BIN, makeHome, type TestHome} from './helpers.js'

const docker = await dockerAvailable('test/redaction.e2e.test.ts')

let t: TestHome
beforeEach(() => {
  t = makeHome()
})
afterEach(() => removeDockerStore(t))

/** The container prints `line`, prints the value, waits 5 s, then ends. */
const SLOW = 5000

/**
 * Runs `hush ...args` and notes when `line` first showed on its stdout and when the command ended:
 * a line shown ~SLOW ms before the end showed while the container still ran, at once.
 */
async function watch(args: string[], line: string) {
  const child = execa(process.execPath, [BIN, ...args], {env: t.env, reject: false, stdin: 'ignore'})
  let stdout = ''
  let shownAt: number | undefined
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    if (shownAt === undefined && stdout.includes(line)) shownAt = Date.now()
  })
  const result = await child
  return {stdout, stderr: String(result.stderr), exitCode: result.exitCode, early: Date.now() - (shownAt ?? Date.now())}
}

describe.skipIf(!docker)('redaction in practice', () => {
  it('masks `echo $VALUE` (collapsed), a trimmed copy and the exact value of "  padded  value  "', async () => {
    await t.ok(['secrets', 'new', 'pad', 'TOK=  padded  value  '])
    const script = `echo $TOK; echo "[$TOK]"; printf '%s\\n' "$TOK" | sed 's/^ *//; s/ *$//'`
    const waited = await t.hush(['submit', TEST_IMAGE, '--secret', 'pad', '--wait', '--', 'sh', '-c', script])
    expect(waited.exitCode, waited.stderr).toBe(0)
    expect(waited.stdout.split('\n').slice(-3)).toEqual(['***', '[***]', '***'])
    expect(waited.stdout).not.toContain('padded')
  })

  for (const [what, value, secret] of [
    ['a 24-byte token', `tok_${randomBytes(10).toString('hex')}`, '--secret'],
    ['a 64 KiB value', randomBytes(32 * 1024).toString('hex'), '--secret-file'],
  ] as const) {
    it(`--wait and logs --follow show a progress line at once, with ${what}`, async () => {
      await t.ok(['secrets', 'new', 'tok', '--from-stdin', 'TOK'], {input: `${value}\n`})
      const print = secret === '--secret' ? 'echo "tok=$TOK"' : 'echo "tok=$(cat /run/secrets/TOK)"'
      const script = `echo 'progress 1/2'; ${print}; sleep ${SLOW / 1000}; echo 'progress 2/2'`
      const command = [TEST_IMAGE, secret, 'tok', '--', 'sh', '-c', script]

      const waited = await watch(['submit', '--wait', ...command], 'progress 1/2\n')
      expect(waited.exitCode, waited.stderr).toBe(0)
      expect(waited.early, 'ms between the line and the end').toBeGreaterThan(SLOW - 1500)
      expect(waited.stdout).toContain('progress 1/2\ntok=***\nprogress 2/2\n')
      expect(waited.stdout).not.toContain(value.slice(0, 16))

      const d = await submitJson<SubmitOutput>(t, command)
      const followed = await watch(['logs', d.id, '--follow'], 'tok=***\n')
      expect(followed.exitCode, followed.stderr).toBe(0)
      expect(followed.early, 'ms between the line and the end').toBeGreaterThan(SLOW - 1500)
      expect(followed.stdout).toBe('progress 1/2\ntok=***\nprogress 2/2\n')
    })
  }
})
