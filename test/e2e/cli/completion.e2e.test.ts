// Shell completion and did-you-mean as a user meets them: `hush autocomplete bash` set up in a real
// `bash -i` inside tmux completes secret names and deployment names from the running agent, and
// with no agent prints nothing and starts none; a mistyped command gets the closest one, exit 2.
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {createServer, type Socket} from 'node:net'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {SubmitOutput} from '../../../src/api/contract.js'
import {ensureRuntimeDir, resolvePaths} from '../../../src/config/paths.js'
import {dockerAvailable, removeDockerStore, SLEEPER, submitJson, TEST_IMAGE} from '../../support/docker.js'
import {BIN, makeHome, type TestHome} from '../../support/helpers.js'
import {type Terminal, Tmux} from '../../support/terminal.js'

const docker = await dockerAvailable('test/e2e/cli/completion.e2e.test.ts')

let t: TestHome
let tmux: Tmux

beforeEach(() => {
  t = makeHome()
  tmux = new Tmux(join(t.home, 'tmux.sock'))
})

afterEach(async () => {
  await tmux.kill()
  await removeDockerStore(t)
})

/** An interactive bash whose `hush` is this checkout, with completion set up as the README says. */
async function bashWithCompletion(): Promise<Terminal> {
  const bin = join(t.home, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'hush'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, {mode: 0o755})
  const env = {
    ...t.env,
    HOME: t.home,
    XDG_CACHE_HOME: join(t.home, 'cache'),
    PATH: `${bin}:${process.env.PATH}`,
    TERM: 'xterm',
    PS1: 'PROMPT$ ',
    // Nothing written in the store's directory when the shell exits.
    HISTFILE: '/dev/null',
  }
  const vars = Object.entries(env)
    .map(([key, value]) => `${key}='${value}'`)
    .join(' ')
  const term = await tmux.open(`env -i ${vars} bash --norc --noprofile -i`)
  await term.until('PROMPT$')
  await term.keys(
    'hush autocomplete bash > /dev/null 2>&1 && eval "$(hush autocomplete script bash)" && echo SET-UP',
    'Enter',
  )
  await term.until(/^SET-UP$/m, 60_000)
  return term
}

/** Waits until bash has handled every key sent so far (a marker line is echoed after them). */
async function settle(term: Terminal, marker: string): Promise<string> {
  await term.keys('C-u', `echo ${marker}`, 'Enter')
  await term.until(new RegExp(`^${marker}$`, 'm'))
  return term.history()
}

describe('did you mean', () => {
  it('suggests the closest command as typed, one line, exit 2, and nothing starts', async () => {
    const typo = await t.hush(['secrets', 'lst'])
    expect(typo.exitCode).toBe(2)
    expect(typo.stderr).toBe(
      'hush: "secrets lst" is not a hush command. Did you mean "hush secrets list"? (see hush --help).',
    )
    expect(typo.stderr).not.toContain(':list')

    const withArgs = await t.hush(['lgos', 'd-1234', '--json'])
    expect(withArgs.exitCode).toBe(2)
    expect(JSON.parse(withArgs.stdout)).toEqual({
      error: {code: 'bad_request', message: expect.stringContaining('"lgos d-1234"'), suggestion: 'hush logs d-1234'},
    })
    expect(t.agentPid()).toBeUndefined()
  })
})

describe('shell completion', () => {
  it('with no agent running: nothing is printed and no agent starts', async () => {
    const direct = await t.hush(['complete', 'secrets'])
    expect(direct).toMatchObject({exitCode: 0, stdout: '', stderr: ''})

    const term = await bashWithCompletion()
    // bash handles keys in order: once the Z shows, both TABs were handled.
    await term.keys('hush secrets rotate h', 'Tab', 'Tab', 'Z')
    const screen = await term.until(/rotate hZ$/m)
    // Nothing was inserted and no candidates were listed (a listing prints the prompt again below it).
    expect(screen.trimEnd().split('\n').slice(-2)).toEqual(['SET-UP', 'PROMPT$ hush secrets rotate hZ'])
    expect(t.agentPid()).toBeUndefined()
    expect(existsSync(t.socket)).toBe(false)
  })

  it('prints nothing when the socket is stale or the agent hangs', async () => {
    const paths = resolvePaths({...process.env, ...t.env})
    ensureRuntimeDir(paths)
    // A hung agent: it accepts the connection and never answers.
    const connections: Socket[] = []
    const hung = createServer((socket) => connections.push(socket))
    await new Promise<void>((resolve) => hung.listen(paths.socket, resolve))
    try {
      const result = await t.hush(['complete', 'deployments'])
      expect(result).toMatchObject({exitCode: 0, stdout: '', stderr: ''})
      expect(connections.length).toBeGreaterThan(0)
    } finally {
      for (const socket of connections) socket.destroy()
      await new Promise((resolve) => hung.close(resolve))
    }
    // A socket file left by a killed agent (bound, then its process gone): nobody listens.
    await execa('/usr/bin/python3', [
      '-c',
      'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
      paths.socket,
    ])
    expect(existsSync(paths.socket)).toBe(true)
    expect(await t.hush(['complete', 'secrets'])).toMatchObject({exitCode: 0, stdout: '', stderr: ''})
    expect(t.agentPid()).toBeUndefined()
  })

  it.skipIf(!docker)('completes secret names and deployment names from the agent', async () => {
    await t.ok(['secrets', 'new', 'hf', 'HF_TOKEN=SENTINEL_completion_hf'])
    await t.ok(['secrets', 'new', 'openai', 'OPENAI_API_KEY=SENTINEL_completion_openai'])
    // docker's container names are global to the engine: a name of this run only.
    const name = `trainer-${randomBytes(3).toString('hex')}`
    const job = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--name', name, '--secret', 'hf', ...SLEEPER])

    const term = await bashWithCompletion()
    await term.keys('hush secrets rotate h', 'Tab')
    // (capture-pane drops the space completion adds after a name.)
    await term.until(/PROMPT\$ hush secrets rotate hf$/m)
    await term.keys('C-u', 'hush logs ', 'Tab', 'Tab')
    // Both the id and the name are offered.
    const listed = await term.until(new RegExp(`${job.id}[\\s\\S]*${name}|${name}[\\s\\S]*${job.id}`))
    expect(listed).toMatch(/PROMPT\$ hush logs$/m)
    await term.keys('t', 'Tab')
    await term.until(new RegExp(`PROMPT\\$ hush logs ${name}$`, 'm'))
    await term.keys('C-u', 'hush submit img --secret o', 'Tab')
    await term.until(/PROMPT\$ hush submit img --secret openai$/m)
    const history = await settle(term, 'NAMES-DONE')
    expect(history).not.toContain('SENTINEL_completion')
  })
})
