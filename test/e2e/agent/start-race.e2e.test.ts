// The start lock: twenty CLI processes started at once with no agent running all succeed, and
// exactly one agent is started for the store.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import {agentProcesses} from '../../support/agent-tools.js'
import {makeHome, type TestHome} from '../../support/helpers.js'

let t: TestHome
afterEach(async () => {
  await t.cleanup()
})

describe('start race', () => {
  it('twenty commands at once with no agent: all exit 0, one agent, twenty secrets', async () => {
    t = makeHome()
    expect(agentProcesses(t.home)).toEqual([])
    const results = await Promise.all(
      Array.from({length: 20}, (_, i) => t.hush(['secrets', 'new', `s${i}`, `K${i}=v${i}`])),
    )
    for (const [i, result] of results.entries()) {
      expect(result.exitCode, `s${i}: ${result.stderr}`).toBe(0)
      expect(result.stdout).toBe(`Created secret s${i}: version 1, keys K${i}.`)
    }
    const agents = agentProcesses(t.home)
    expect(agents).toHaveLength(1)
    expect(agents[0]).toBe(t.agentPid())
    // Only one agent process was started: no second one ever reached the store's start lock.
    const log = readFileSync(join(t.home, 'agent.log'), 'utf8')
    expect(log.match(/ listening on /g)).toHaveLength(1)
    expect(log).not.toContain('already answers')

    const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed.map((secret) => secret.name).sort()).toEqual(Array.from({length: 20}, (_, i) => `s${i}`).sort())
    expect(listed.every((secret) => secret.version === 1)).toBe(true)
    expect(agentProcesses(t.home)).toEqual(agents)
  }, 180_000)
})
