// Redaction as a user sees it through the real agent and a real container: `echo $VALUE` of a value
// with spaces is masked, and `submit --wait` / `logs --follow` show each line while the container
// still runs (only bytes that can still become a value wait), with a short token and a 64 KiB value.
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {SubmitOutput} from '../../../src/api/contract.js'
import {dockerAvailable, removeDockerStore, submitJson, TEST_IMAGE} from '../../support/docker.js'
import {BIN, makeHome, type TestHome} from '../../support/helpers.js'

const docker = await dockerAvailable(import.meta.url)

let t: TestHome
const cleanups: Array<() => void> = []
beforeEach(() => {
  t = makeHome()
})
afterEach(async () => {
  await removeDockerStore(t)
  for (const cleanup of cleanups.splice(0)) cleanup()
})

/** The container prints its first lines, waits this long, then prints its last line and ends. */
const SLOW = 5000

/**
 * Runs `hush ...args` against a container that prints `ready`, then waits for `go` in `gate` (made
 * once hush has shown `ready`: hush is following by then), prints `first`, sleeps SLOW ms and
 * prints `last`. Returns how long after `first` the line `last` showed: about SLOW ms means `first`
 * showed when it was printed, not held back until more output came.
 */
async function watch(args: string[], gate: string, first: string, last: string) {
  const child = execa(process.execPath, [BIN, ...args], {env: t.env, reject: false, stdin: 'ignore'})
  let stdout = ''
  const seen: Record<string, number> = {}
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    if (stdout.includes('ready\n')) writeFileSync(join(gate, 'go'), '')
    for (const line of [first, last]) if (!(line in seen) && stdout.includes(line)) seen[line] = Date.now()
  })
  const result = await child
  rmSync(join(gate, 'go'), {force: true})
  return {stdout, stderr: String(result.stderr), exitCode: result.exitCode, gap: (seen[last] ?? 0) - (seen[first] ?? 0)}
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
      const gate = mkdtempSync(join(tmpdir(), 'hush-gate-'))
      cleanups.push(() => rmSync(gate, {recursive: true, force: true}))
      const print = secret === '--secret' ? 'echo "tok=$TOK"' : 'echo "tok=$(cat /run/secrets/TOK)"'
      const wait = 'while [ ! -e /gate/go ]; do sleep 0.1; done'
      const script = `echo ready; ${wait}; echo 'progress 1/2'; ${print}; sleep ${SLOW / 1000}; echo 'progress 2/2'`
      const command = [TEST_IMAGE, secret, 'tok', '--volume', `${gate}:/gate:ro`, '--', 'sh', '-c', script]
      const lines = 'ready\nprogress 1/2\ntok=***\nprogress 2/2\n'

      const waited = await watch(['submit', '--wait', ...command], gate, 'progress 1/2\n', 'progress 2/2\n')
      expect(waited.exitCode, waited.stderr).toBe(0)
      expect(waited.gap, 'ms between the first line and the last').toBeGreaterThan(SLOW - 1000)
      expect(waited.stdout).toContain(lines)
      expect(waited.stdout).not.toContain(value.slice(0, 16))

      const d = await submitJson<SubmitOutput>(t, command)
      const followed = await watch(['logs', d.id, '--follow'], gate, 'tok=***\n', 'progress 2/2\n')
      expect(followed.exitCode, followed.stderr).toBe(0)
      expect(followed.gap, 'ms between the first line and the last').toBeGreaterThan(SLOW - 1000)
      expect(followed.stdout).toBe(lines)
    })
  }
})
