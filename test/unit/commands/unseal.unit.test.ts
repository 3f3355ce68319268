// `hush unseal` in-process: the passphrase from standard input, a descriptor or the hidden prompt,
// sent sealed (opened only by the agent) and never shown; the refusals of an OS keyring store, an
// empty passphrase, a closed descriptor and a bad --ttl, before anything is sent.
import {openSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {Hello, UnlockCacheState} from '../../../src/api/contract.js'
import {HushError} from '../../../src/api/errors.js'
import Unseal from '../../../src/commands/unseal.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const PASSPHRASE = 'correct horse battery staple'
const PRESENT: UnlockCacheState = {state: 'present', expiresAt: null, problem: null, keyring: 'persistent'}
const SEALED: Partial<Hello> = {keyring: 'passphrase', sealed: true}

/** The passphrases the agent opened. */
const opened: string[] = []

const agent = inProcessAgent(({record, open}) => ({
  unseal: (input) => {
    const passphrase = open(input.passphrase, 'passphrase')
    opened.push(passphrase)
    record('unseal', {...input, passphrase: '(sealed)'})
    if (passphrase !== PASSPHRASE) throw new HushError('wrong_passphrase', 'Wrong passphrase: the store stays sealed.')
    return {
      sealed: false,
      changed: true,
      unlockCache: input.ttl ? {...PRESENT, expiresAt: '2026-01-02T00:00:00.000Z'} : PRESENT,
    }
  },
}))

afterEach(() => {
  opened.length = 0
})

const unsealed = (input: object = {}) => [{route: 'unseal', input: {passphrase: '(sealed)', ...input}}]
const KEPT =
  'Unsealed: the kernel keyring (persistent: it outlives logout, 3 idle days at most) keeps the key until reboot (or `hush seal`): agents started later open the store without asking.\n'

describe('hush unseal', () => {
  const cases: Array<CommandCase & {opened?: string[]}> = [
    {
      name: 'the passphrase from standard input, one trailing newline dropped',
      argv: [],
      run: {hello: SEALED, stdin: `${PASSPHRASE}\n`},
      stdout: KEPT,
      received: unsealed(),
      opened: [PASSPHRASE],
    },
    {
      name: 'the hidden prompt on a terminal',
      argv: [],
      run: {hello: SEALED, stdin: `${PASSPHRASE}\n`, isTTY: {stdin: true, stderr: true}},
      stdout: KEPT,
      stderr: 'Passphrase (hidden): \n',
      received: unsealed(),
      opened: [PASSPHRASE],
    },
    {
      name: '--ttl goes to the agent, and the line says until when',
      argv: ['--ttl', '12h'],
      run: {hello: SEALED, stdin: PASSPHRASE},
      stdout: /^Unsealed: the kernel keyring .* keeps the key until 2026-01-02T00:00:00\.000Z: /,
      received: unsealed({ttl: '12h'}),
      opened: [PASSPHRASE],
    },
    {
      name: 'a wrong passphrase: the agent’s line, exit 1',
      argv: [],
      run: {hello: SEALED, stdin: 'wrong horse'},
      stdout: '',
      stderr: 'hush: Wrong passphrase: the store stays sealed.\n',
      exitCode: 1,
      received: unsealed(),
      opened: ['wrong horse'],
    },
    {
      name: 'already unsealed: said, with what the kernel keyring holds, nothing read or sent',
      argv: [],
      run: {hello: {keyring: 'passphrase', sealed: false, unlockCache: {state: 'off', expiresAt: null, problem: null}}},
      stdout:
        'The store is already unsealed (the key is kept by this agent only (unsealTtl off): when it stops, run `hush unseal` again).\n',
    },
    {
      name: 'an OS keyring store has nothing to unseal: exit 1',
      argv: [],
      run: {stdin: PASSPHRASE},
      stdout: '',
      stderr:
        'hush: This store keeps its master key in the OS keyring, so there is nothing to unseal: `hush init --keyring passphrase` switches it to passphrase mode.\n',
      exitCode: 1,
    },
    {
      name: 'an empty standard input: how to give one, exit 2',
      argv: [],
      run: {hello: SEALED, stdin: '\n'},
      stdout: '',
      stderr:
        'hush: No passphrase on standard input: type it at the prompt on a terminal, or give it on standard input (e.g. `hush unseal < file`) or with --passphrase-fd.\n',
      exitCode: 2,
    },
    {
      name: 'a descriptor that is not open: exit 2',
      argv: ['--passphrase-fd', '97'],
      run: {hello: SEALED},
      stdout: '',
      stderr: 'hush: --passphrase-fd 97: descriptor 97 is not open; open it in the shell (e.g. `3< file`).\n',
      exitCode: 2,
    },
    {
      name: 'a --ttl that is no duration: exit 2, before anything is read',
      argv: ['--ttl', 'forever'],
      run: {hello: SEALED, stdin: PASSPHRASE},
      stdout: '',
      stderr: /^hush: --ttl takes .*, not "forever"\.\n$/,
      exitCode: 2,
    },
    {
      name: 'a negative descriptor: exit 2',
      argv: ['--passphrase-fd', '-1'],
      run: {hello: SEALED},
      stdout: '',
      stderr: /^hush: .*passphrase-fd.* \(see --help\)\.\n$/,
      exitCode: 2,
    },
  ]
  it.each(cases)('$name', async ({opened: expected, ...row}) => {
    const outcome = await agent.check(Unseal, row)
    expect(opened).toEqual(expected ?? [])
    expect(outcome.stdout + outcome.stderr).not.toContain('horse')
  })

  it('--passphrase-fd N reads the passphrase from that descriptor, not standard input', async () => {
    const file = join(agent.dir, 'passphrase')
    writeFileSync(file, `${PASSPHRASE}\n`, {mode: 0o600})
    const fd = openSync(file, 'r')
    await agent.check(Unseal, {
      name: 'fd',
      argv: ['--passphrase-fd', String(fd)],
      run: {hello: SEALED, stdin: 'not this one'},
      stdout: KEPT,
      received: unsealed(),
    })
    expect(opened).toEqual([PASSPHRASE])
  })

  it('--json prints the agent’s answer', async () => {
    const {stdout} = await agent.check(Unseal, {
      name: 'json',
      argv: ['--json'],
      run: {hello: SEALED, stdin: PASSPHRASE},
      received: unsealed(),
    })
    expect(JSON.parse(stdout)).toEqual({sealed: false, changed: true, unlockCache: PRESENT})
  })
})
