// The one Swarm convergence rule (api/rules/swarm-convergence.ts), as the agent's recorded state
// and the CLI's wait after `submit --swarm` read it.
import {describe, expect, it} from 'vitest'
import type {SwarmTask} from '../../../src/api/contract.js'
import {convergence, deadTask, isDeadTask} from '../../../src/api/rules/swarm-convergence.js'

const task = (state: string, revision: number | null, error: string | null = null): SwarmTask => ({
  id: `t-${state}-${revision}`,
  node: 'n1',
  state,
  revision,
  error,
})

describe('Swarm convergence', () => {
  it('is running once every desired replica runs the revision, and no other revision runs', () => {
    expect(convergence([task('running', 2), task('running', 2)], 2, 2)).toBe('running')
    expect(convergence([task('running', 2), task('starting', 2)], 2, 2)).toBe('starting')
    expect(convergence([task('running', 2), task('running', 2), task('running', 1)], 2, 2)).toBe('starting')
  })

  it('is failed once no task runs and one has died; dead states never run again', () => {
    expect(['rejected', 'failed', 'orphaned', 'remove'].map((state) => isDeadTask({state}))).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(isDeadTask({state: 'shutdown'})).toBe(false)
    expect(convergence([task('failed', 1, 'exit 1'), task('pending', 1)], 2, 1)).toBe('failed')
    expect(convergence([task('failed', 1, 'exit 1'), task('running', 1)], 2, 1)).toBe('starting')
    expect(convergence([], 1, 1)).toBe('starting')
  })

  it('names the dead task of the revision that says why', () => {
    const tasks = [task('failed', 1, 'old'), task('rejected', 2), task('failed', 2, 'no such image')]
    expect(deadTask(tasks, 2)?.error).toBe('no such image')
    expect(deadTask([task('failed', 2)], 2)).toBeUndefined()
  })
})
