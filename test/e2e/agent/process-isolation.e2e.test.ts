// The agent's process is its own: a minimal environment (never the starting command's NODE_OPTIONS
// or value sources), no core dumps, its working directory in its state directory, no inspector by
// option or by SIGUSR1; and one agent per store whatever XDG_RUNTIME_DIR each command uses.
import {mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import {agentProcesses, errorLine, hello} from '../../support/agent-tools.js'
import {BIN, isAlive, makeHome, type TestHome, waitFor} from '../../support/helpers.js'

let t: TestHome
const extra: string[] = []
afterEach(async () => {
  for (const pid of agentProcesses(t.home)) process.kill(pid, 'SIGTERM')
  await waitFor(() => agentProcesses(t.home).length === 0, 10_000)
  await t.cleanup()
  for (const dir of extra.splice(0)) rmSync(dir, {recursive: true, force: true})
})

function environ(pid: number): Map<string, string> {
  const env = new Map<string, string>()
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)) {
    const eq = entry.indexOf('=')
    env.set(entry.slice(0, eq), entry.slice(eq + 1))
  }
  return env
}

function privateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-xdg-'))
  extra.push(dir)
  return dir
}

describe('the agent started by a command', () => {
  it('has its own minimal environment, no core dumps, and its state directory as working directory', async () => {
    t = makeHome()
    const value = 'from-env-value-that-must-not-linger'
    const result = await t.hush(['secrets', 'new', 'gh', '--from-env', 'GHTOK'], {
      env: {
        GHTOK: value,
        HUSH_GHTOK_COPY: 'x',
        NODE_OPTIONS: '--inspect=127.0.0.1:0',
        NODE_DEBUG: 'net',
        OTHER_VAR: 'y',
      },
    })
    expect(result.exitCode, result.stderr).toBe(0)
    const pid = t.agentPid()!
    const env = environ(pid)
    expect(env.get('HUSH_HOME')).toBe(t.home)
    expect(env.has('PATH')).toBe(true)
    for (const name of ['GHTOK', 'NODE_OPTIONS', 'NODE_DEBUG', 'OTHER_VAR']) expect(env.has(name), name).toBe(false)
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(value)
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('inspect')

    const core = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((line) => line.startsWith('Max core file size'))
    expect(core?.split(/\s{2,}/).slice(1, 3)).toEqual(['0', '0'])
    expect(readFileSync(`/proc/${pid}/coredump_filter`, 'utf8').trim()).toBe('00000000')
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(t.home)

    // SIGUSR1 would open an inspector on 127.0.0.1:9229 for any local user: the agent ignores it.
    process.kill(pid, 'SIGUSR1')
    await waitFor(() => readFileSync(join(t.home, 'agent.log'), 'utf8').includes('ignored SIGUSR1'), 10_000)
    expect(isAlive(pid)).toBe(true)
    expect(readFileSync(join(t.home, 'agent.log'), 'utf8')).not.toContain('Debugger listening')
    expect((await hello(t.socket)).pid).toBe(pid)
  })

  it('refuses to run with a preload or an inspector, in one line', async () => {
    t = makeHome()
    const preload = join(privateDir(), 'preload.cjs')
    writeFileSync(preload, '')
    const byEnv = await execa(process.execPath, [BIN, 'daemon', 'run'], {
      env: {...t.env, NODE_OPTIONS: `--require ${preload}`},
      reject: false,
    })
    expect(byEnv.exitCode).toBe(1)
    expect(errorLine(byEnv.stderr)).toMatch(/refuses to run with --require/)
    const byArgv = await execa(process.execPath, ['--inspect=127.0.0.1:0', BIN, 'daemon', 'run'], {
      env: t.env,
      reject: false,
    })
    expect(byArgv.exitCode).toBe(1)
    expect(byArgv.stderr).toMatch(/refuses to run with --inspect/)
    expect(agentProcesses(t.home)).toEqual([])
  })

  it('started by hand with core dumps allowed: keeps its memory out of them and says so', async () => {
    t = makeHome()
    const agent = execa('sh', ['-c', `ulimit -c 1024 && exec "${process.execPath}" "${BIN}" daemon run`], {
      env: t.env,
      cwd: tmpdir(),
      reject: false,
    })
    await waitFor(() => t.agentPid() !== undefined && agentProcesses(t.home).length === 1, 20_000)
    const pid = t.agentPid()!
    expect(readFileSync(`/proc/${pid}/coredump_filter`, 'utf8').trim()).toBe('00000000')
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(t.home)
    process.kill(pid, 'SIGTERM')
    const ended = await agent
    expect(ended.stderr + ended.stdout).toMatch(/core dumps are allowed.*coredump_filter 0/)
  })
})

describe('one agent per store', () => {
  it('serves commands from two runtime directories with one agent; a second agent says who holds the store', async () => {
    t = makeHome()
    const first = privateDir()
    const second = privateDir()
    await t.ok(['secrets', 'new', 'a', 'K=v'], {env: {XDG_RUNTIME_DIR: first}})
    const [holder] = agentProcesses(t.home)
    // A command with another runtime directory finds the store's agent instead of starting a second.
    const listed = await t.json<SecretInfo[]>(['secrets', 'list'], {env: {XDG_RUNTIME_DIR: second}})
    expect(listed.map((secret) => secret.name)).toEqual(['a'])
    await t.ok(['secrets', 'new', 'b', 'K=v'], {env: {XDG_RUNTIME_DIR: second}})
    expect(agentProcesses(t.home)).toHaveLength(1)

    // An agent started by hand on the same store exits at once, naming the holder.
    const second_agent = await execa(process.execPath, [BIN, 'daemon', 'run'], {
      env: {...t.env, XDG_RUNTIME_DIR: second},
      reject: false,
    })
    expect(second_agent.exitCode).toBe(1)
    const line = errorLine(second_agent.stderr)
    expect(line).toContain(`held by another hush agent`)
    expect(line).toContain(`pid ${holder}`)
    expect(agentProcesses(t.home)).toHaveLength(1)

    // The lock goes with the process: after kill -9, a command from the other directory starts one at once.
    process.kill(agentProcesses(t.home)[0], 'SIGKILL')
    await waitFor(() => agentProcesses(t.home).length === 0, 10_000)
    const again = await t.json<SecretInfo[]>(['secrets', 'list'], {env: {XDG_RUNTIME_DIR: second}})
    expect(again.map((secret) => secret.name)).toEqual(['a', 'b'])
    expect(agentProcesses(t.home)).toHaveLength(1)
  })
})
