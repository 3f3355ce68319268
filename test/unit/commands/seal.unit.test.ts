// `hush seal` in-process: what the user is told the agent did with the key, and --json.
import {describe, expect, it} from 'vitest'
import type {SealState} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import Seal from '../../../src/commands/seal.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

/** What the agent answers to the next seal (an error: it throws it). */
let answer: SealState | HushError = {sealed: true, changed: true}

const agent = inProcessAgent(({record}) => ({
  seal: (input) => {
    record('seal', input)
    if (answer instanceof HushError) throw answer
    return answer
  },
}))

const sealed = [{route: 'seal', input: {}}]

describe('hush seal', () => {
  const cases: Array<CommandCase & {answer: SealState | HushError}> = [
    {
      name: 'the key wiped from the agent and the kernel keyring',
      argv: [],
      answer: {sealed: true, changed: true, unlockCache: {state: 'absent', expiresAt: null, problem: null}},
      stdout: 'Sealed: the key is wiped from the agent’s memory and the kernel keyring.\n',
      received: sealed,
    },
    {
      name: 'already sealed',
      argv: [],
      answer: {sealed: true, changed: false},
      stdout: 'The store was already sealed; the kernel keyring holds no key for it.\n',
      received: sealed,
    },
    {
      name: 'the kernel keyring out of reach is said, with why',
      argv: [],
      answer: {sealed: true, changed: true, unlockCache: {state: 'unavailable', expiresAt: null, problem: 'no keyctl'}},
      stdout:
        'Sealed: the key is wiped from the agent’s memory and the kernel keyring. The kernel keyring could not be reached (no keyctl).\n',
      received: sealed,
    },
    {
      name: 'an OS keyring store: the agent’s refusal in one line, exit 1',
      argv: [],
      answer: new HushError('wrong_keyring_mode', 'This store keeps its master key in the OS keyring.'),
      stdout: '',
      stderr: 'hush: This store keeps its master key in the OS keyring.\n',
      exitCode: 1,
      received: sealed,
    },
    {
      name: 'an argument is refused, nothing sent',
      argv: ['now'],
      answer: {sealed: true, changed: true},
      stdout: '',
      stderr: 'hush: Unexpected argument: now (see --help).\n',
      exitCode: 2,
    },
  ]
  it.each(cases)('$name', async ({answer: next, ...row}) => {
    answer = next
    await agent.check(Seal, row)
  })

  it('--json prints the agent’s answer', async () => {
    answer = {sealed: true, changed: false}
    const {stdout} = await agent.check(Seal, {name: 'json', argv: ['--json'], received: sealed})
    expect(JSON.parse(stdout)).toEqual({sealed: true, changed: false})
  })
})
