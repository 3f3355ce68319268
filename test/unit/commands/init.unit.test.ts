// `hush init` in-process: choosing the OS keyring or a passphrase (read from standard input or a
// descriptor, sent sealed, opened only by the agent), the key changes (--change-passphrase,
// --rotate-key), and every refusal before anything is read or sent.
import {openSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {Hello, InitOutput, UnlockCacheState} from '../../../src/api/contract.js'
import Init from '../../../src/commands/init.js'
import {type CommandCase, inProcessAgent} from '../../support/in-process.js'

const PRESENT: UnlockCacheState = {state: 'present', expiresAt: null, problem: null, keyring: 'persistent'}
const PASSPHRASE_MODE: Partial<Hello> = {keyring: 'passphrase', sealed: false}

/** What the agent answers to `init` with the OS keyring. */
let osAnswer: InitOutput['action'] = 'unchanged'
/** The passphrases the agent opened, by field. */
const opened: Array<[string, string]> = []

const agent = inProcessAgent(({record, open}) => {
  const opening = (field: string, sealed: string | undefined) => {
    if (sealed === undefined) return undefined
    opened.push([field, open(sealed, field)])
    return '(sealed)'
  }
  return {
    init: (input) => {
      record('init', {...input, passphrase: opening('passphrase', input.passphrase)})
      if (input.keyring === 'os') return {keyring: 'os', action: osAnswer, sealed: false}
      return {keyring: 'passphrase', action: 'rewrapped', sealed: false, unlockCache: PRESENT}
    },
    changePassphrase: (input) => {
      record('changePassphrase', {
        passphrase: opening('passphrase', input.passphrase),
        newPassphrase: opening('newPassphrase', input.newPassphrase),
      })
      return {sealed: false}
    },
    rotateKey: (input) => {
      record('rotateKey', {passphrase: opening('passphrase', input.passphrase)})
      return {keyring: input.passphrase ? 'passphrase' : 'os', secrets: 3, values: 7}
    },
  }
})

afterEach(() => {
  opened.length = 0
  osAnswer = 'unchanged'
})

/** A file holding TEXT, open for reading: its descriptor, for --passphrase-fd. */
function descriptor(name: string, text: string): number {
  const file = join(agent.dir, name)
  writeFileSync(file, text, {mode: 0o600})
  return openSync(file, 'r')
}

const SWITCHED =
  'Switched this store to passphrase mode: every secret kept, its data key now wrapped by your passphrase; the OS keyring entry was removed. It is unsealed now: the kernel keyring (persistent: it outlives logout, 3 idle days at most) keeps the key until reboot (or `hush seal`): agents started later open the store without asking. The passphrase is stored nowhere: if it is lost, so are the secrets.\n'

describe('hush init', () => {
  const cases: Array<CommandCase & {os?: InitOutput['action']; opened?: Array<[string, string]>}> = [
    {
      name: 'the OS keyring (the default), already in use: nothing changed',
      argv: [],
      stdout: 'This store already uses the OS keyring (service hush): nothing changed.\n',
      received: [{route: 'init', input: {keyring: 'os'}}],
    },
    {
      name: 'a new store in the OS keyring',
      argv: ['--keyring', 'os'],
      os: 'created',
      stdout: 'Initialised this store: its master key is in the OS keyring (service hush).\n',
      received: [{route: 'init', input: {keyring: 'os'}}],
    },
    {
      name: 'a passphrase store switched to the OS keyring',
      argv: [],
      run: {hello: PASSPHRASE_MODE},
      os: 'rewrapped',
      stdout: /^Switched this store to the OS keyring: every secret kept, .*\(service hush\)\.\n$/,
      received: [{route: 'init', input: {keyring: 'os'}}],
    },
    {
      name: '--keyring passphrase: the passphrase from standard input, sent sealed, with --ttl',
      argv: ['--keyring', 'passphrase', '--ttl', '12h'],
      run: {stdin: 'new horse\n'},
      stdout: SWITCHED,
      received: [{route: 'init', input: {keyring: 'passphrase', passphrase: '(sealed)', ttl: '12h'}}],
      opened: [['passphrase', 'new horse']],
    },
    {
      name: '--keyring passphrase on a store already in passphrase mode: nothing read or sent',
      argv: ['--keyring', 'passphrase'],
      run: {hello: PASSPHRASE_MODE, stdin: 'unread horse'},
      stdout: 'This store already uses passphrase mode: nothing changed.\n',
    },
    {
      name: '--rotate-key on an OS keyring store: no passphrase asked',
      argv: ['--rotate-key'],
      stdout:
        'Rotated the data key: 7 values of 3 secrets re-encrypted in one transaction, the old key wiped. The OS keyring entry that wraps it is unchanged.\n',
      received: [{route: 'rotateKey', input: {}}],
    },
    {
      name: '--rotate-key on a passphrase store: its passphrase from standard input',
      argv: ['--rotate-key'],
      run: {hello: PASSPHRASE_MODE, stdin: 'old horse'},
      stdout: /^Rotated the data key: 7 values of 3 secrets .* Your passphrase is unchanged\.\n$/,
      received: [{route: 'rotateKey', input: {passphrase: '(sealed)'}}],
      opened: [['passphrase', 'old horse']],
    },
  ]
  it.each(cases)('$name', async ({os, opened: expected, ...row}) => {
    osAnswer = os ?? 'unchanged'
    const outcome = await agent.check(Init, row)
    expect(opened).toEqual(expected ?? [])
    expect(outcome.stdout + outcome.stderr).not.toContain('horse')
  })

  it('--change-passphrase: the current one from --passphrase-fd, the new one from standard input', async () => {
    const fd = descriptor('current', 'old horse\n')
    await agent.check(Init, {
      name: 'change',
      argv: ['--change-passphrase', '--passphrase-fd', String(fd)],
      run: {hello: PASSPHRASE_MODE, stdin: 'new horse\n'},
      stdout:
        'Changed the passphrase: the old one no longer opens this store, the new one does (every secret kept). Backups keep their own backup passphrase.\n',
      received: [{route: 'changePassphrase', input: {passphrase: '(sealed)', newPassphrase: '(sealed)'}}],
    })
    expect(opened).toEqual([
      ['passphrase', 'old horse'],
      ['newPassphrase', 'new horse'],
    ])
  })

  it('--change-passphrase: both from descriptors, standard input unread', async () => {
    const current = descriptor('current', 'old horse')
    const next = descriptor('next', 'new horse')
    await agent.check(Init, {
      name: 'change fds',
      argv: ['--change-passphrase', '--passphrase-fd', String(current), '--new-passphrase-fd', String(next)],
      run: {hello: PASSPHRASE_MODE, stdin: 'not this'},
      stdout: /^Changed the passphrase: /,
      received: [{route: 'changePassphrase', input: {passphrase: '(sealed)', newPassphrase: '(sealed)'}}],
    })
    expect(opened.map(([, text]) => text)).toEqual(['old horse', 'new horse'])
  })

  const refused: CommandCase[] = [
    {
      name: '--ttl with the OS keyring',
      argv: ['--ttl', '12h'],
      stderr: 'hush: --ttl and --passphrase-fd go with --keyring passphrase.\n',
      exitCode: 2,
    },
    {
      name: '--passphrase-fd with the OS keyring',
      argv: ['--keyring', 'os', '--passphrase-fd', '3'],
      stderr: 'hush: --ttl and --passphrase-fd go with --keyring passphrase.\n',
      exitCode: 2,
    },
    {
      name: 'a --ttl that is no duration',
      argv: ['--keyring', 'passphrase', '--ttl', 'forever'],
      stderr: /^hush: --ttl takes .*, not "forever"\.\n$/,
      exitCode: 2,
    },
    {
      name: 'an unknown keyring',
      argv: ['--keyring', 'kwallet'],
      stderr: 'hush: Expected --keyring=kwallet to be one of: os, passphrase (see --help).\n',
      exitCode: 2,
    },
    {
      name: '--change-passphrase with --rotate-key',
      argv: ['--change-passphrase', '--rotate-key'],
      stderr: /^hush: --rotate-key=true cannot also be provided when using --change-passphrase \(see --help\)\.\n$/,
      exitCode: 2,
    },
    {
      name: 'the OS keyring while a passphrase store is sealed: unseal first',
      argv: [],
      run: {hello: {keyring: 'passphrase', sealed: true}},
      stderr: 'hush: The store is sealed: run `hush unseal` first, then switch it to the OS keyring.\n',
      exitCode: 1,
    },
    {
      name: '--keyring passphrase with an empty standard input',
      argv: ['--keyring', 'passphrase'],
      run: {stdin: ''},
      stderr: /^hush: No passphrase on standard input: /,
      exitCode: 2,
    },
    {
      name: '--change-passphrase on an OS keyring store',
      argv: ['--change-passphrase'],
      stderr:
        'hush: This store keeps its master key in the OS keyring, so it has no passphrase to change: `hush init --keyring passphrase` switches it to passphrase mode.\n',
      exitCode: 1,
    },
    {
      name: '--change-passphrase with no terminal and no descriptor (two passphrases, one standard input)',
      argv: ['--change-passphrase'],
      run: {hello: PASSPHRASE_MODE, stdin: 'old horse\nnew horse\n'},
      stderr:
        'hush: Without a terminal, changing the passphrase reads two: give the current one with --passphrase-fd N (the new one then comes from standard input, or --new-passphrase-fd M).\n',
      exitCode: 2,
    },
  ]
  it.each(refused)('refuses $name: one line, nothing sent', async (row) => {
    await agent.check(Init, {stdout: '', ...row})
    expect(opened).toEqual([])
  })

  it('--json prints the agent’s answer', async () => {
    const {stdout} = await agent.check(Init, {
      name: 'json',
      argv: ['--json', '--keyring', 'passphrase'],
      run: {stdin: 'new horse'},
      received: [{route: 'init', input: {keyring: 'passphrase', passphrase: '(sealed)'}}],
    })
    expect(JSON.parse(stdout)).toEqual({
      keyring: 'passphrase',
      action: 'rewrapped',
      sealed: false,
      unlockCache: PRESENT,
    })
  })
})
