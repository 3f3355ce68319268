// The short path a user takes first, on whichever Node runs the tests: a secret created (its master
// key in the real keyring), listed, injected into a container on the real engine, seen redacted in
// its logs, and the container terminated. CI runs this file on Node 22 as well as in the full run on
// Node 24 (.ci/run): on Node 22, node:sqlite's ExperimentalWarning must not reach the user, neither
// on a command's terminal nor in the agent's log.
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {Hello} from '../../../src/api/contract.js'
import {resolvePaths} from '../../../src/config/paths.js'
import {dockerTestFile, inspect, TEST_IMAGE} from '../../support/docker.js'
import {type RunResult, waitFor} from '../../support/helpers.js'

const {docker, t} = await dockerTestFile('test/e2e/cli/smoke.e2e.test.ts')

/** Anything Node itself prints as a process warning: `(node:PID) ExperimentalWarning: ...`. */
const NODE_WARNING = /ExperimentalWarning|\(node:\d+\) \w*Warning/

describe.skipIf(!docker)(`first steps on Node ${process.versions.node}`, () => {
  it('creates, lists, submits, shows logs and terminates, with no Node warning on the way', async () => {
    const seen: RunResult[] = []
    const hush = async (args: string[], input?: string) => {
      const result = await t.hush(args, {input})
      seen.push(result)
      expect(result.exitCode, `hush ${args.join(' ')}: ${result.stderr}`).toBe(0)
      return result
    }

    const created = await hush(['secrets', 'new', 'smoke', '--from-stdin', 'SMOKE_TOKEN'], 'smoke-value-1f2e')
    expect(created.stdout).toBe('Created secret smoke: version 1, keys SMOKE_TOKEN.')
    const hello = JSON.parse((await hush(['daemon', 'status', '--json'])).stdout) as Hello
    expect(hello.keyring).toBe('os')

    const list = (await hush(['secrets', 'list'])).stdout.split('\n')
    expect(list[0]).toMatch(/^NAME +SCOPE +KEYS +VERSION/)
    expect(list[1]).toMatch(/^smoke +shared +SMOKE_TOKEN +1 /)

    const job = 'echo "token: $SMOKE_TOKEN"; trap "exit 0" TERM; sleep 300 & wait'
    const submitted = await hush(['submit', TEST_IMAGE, '--secret', 'smoke', '--', 'sh', '-c', job])
    // The id on stdout (for scripts), the sentence on stderr.
    const id = submitted.stdout
    expect(id).toMatch(/^d-[0-9a-f]+$/)
    const [, container] = /^Submitted d-\w+ \(container ([0-9a-f]{12}), running\)/.exec(submitted.stderr) ?? []
    expect(container, submitted.stderr).toBeTruthy()

    let logs = ''
    await waitFor(async () => {
      logs = (await hush(['logs', id])).stdout
      return logs.includes('token:')
    }, 20_000)
    expect(logs).toBe('token: ***')

    const terminated = await hush(['terminate', id])
    expect(terminated.stdout).toBe(`Terminated ${id}: container ${container} removed.`)
    expect(await inspect(container)).toBeUndefined()

    for (const result of seen) {
      expect(result.stderr).not.toMatch(NODE_WARNING)
      expect(result.stdout).not.toMatch(NODE_WARNING)
    }
    expect(readFileSync(resolvePaths({...process.env, ...t.env}).log, 'utf8')).not.toMatch(NODE_WARNING)
  })
})
