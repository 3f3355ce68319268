// Interactive sessions (`submit -it`): in a real terminal (tmux) the container has the resolved
// env and files; leaving it with `exit 3` ends the deployment (failed, code 3), the CLI exits 3,
// the secret files are gone and `hush logs` of the session is redacted. `-t` with no terminal is
// one line, exit 2, nothing launched.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import type {DeploymentInfo} from '../../../src/api/contract.js'
import {envFileDir, resolvePaths} from '../../../src/config/paths.js'
import {
  dockerAvailable,
  ensureTestImage,
  removeDockerStore,
  storeContainers,
  storeId,
  TEST_IMAGE,
} from '../../support/docker.js'
import {BIN, makeHome, rawRequest, type TestHome, waitFor} from '../../support/helpers.js'
import {Tmux} from '../../support/terminal.js'

const docker = await dockerAvailable(import.meta.url)
// Each case launches real containers on a shared, busy machine: minutes, not the default minute.
vi.setConfig({testTimeout: 300_000})
const TOKEN = 'hf_sessionTokenValue0123456789abcdef'

let t: TestHome
let tmux: Tmux

beforeEach(async () => {
  if (!docker) return
  await ensureTestImage()
  t = makeHome()
  tmux = new Tmux(join(t.home, 'tmux.sock'))
  await t.ok(['secrets', 'new', 'hf', `HF_TOKEN=${TOKEN}`])
})
afterEach(async () => {
  if (!docker) return
  await tmux.kill()
  await removeDockerStore(t)
})

function hushCommand(args: string[]): string {
  const env = Object.entries({...t.env, FORCE_COLOR: '0'})
    .map(([key, value]) => `${key}='${value}'`)
    .join(' ')
  return `env ${env} '${process.execPath}' '${BIN}' ${args.join(' ')}; echo EXIT=$?; sleep 60`
}

describe.skipIf(!docker)('interactive sessions', () => {
  it('gives the terminal the env and files, and ends the deployment with the exit code', async () => {
    const term = await tmux.open(
      hushCommand(['submit', '-it', TEST_IMAGE, '--secret', 'hf', '--secret-file', 'hf', '--', 'sh']),
    )
    await term.until(/Session d-[0-9a-f]{8} \(container/)
    await term.until(/^\/ #/m)
    // busybox has no printenv applet: the shell's own printf gives the value's bytes.
    await term.keys('printf %s "$HF_TOKEN" | wc -c; ls /run/secrets; echo "tok=$HF_TOKEN"', 'Enter')
    const screen = await term.until(`tok=${TOKEN}`)
    expect(screen).toMatch(new RegExp(`^\\s*${TOKEN.length}\\s*$`, 'm'))
    expect(screen).toMatch(/^HF_TOKEN\s*$/m)
    const [deployment] = await t.json<DeploymentInfo[]>(['status'])
    expect(deployment.state).toBe('running')
    const files = join(envFileDir(resolvePaths({...process.env, ...t.env})), 'files', `${deployment.id}-r1`)
    expect(existsSync(join(files, 'HF_TOKEN'))).toBe(true)

    await term.keys('exit 3', 'Enter')
    const ended = await term.until('EXIT=3')
    expect(ended).toContain(`Session ${deployment.id} ended: failed (exit code 3).`)
    const after = await t.json<DeploymentInfo>(['status', deployment.id])
    expect([after.state, after.exitCode]).toEqual(['failed', 3])
    expect(existsSync(files)).toBe(false)

    // What the session printed is in its logs, redacted.
    const logs = await t.ok(['logs', deployment.id])
    expect(logs.stdout).toContain('tok=***')
    expect(logs.stdout).not.toContain(TOKEN)
    // A session is not resubmitted: it would start detached with nobody attached.
    const resubmit = await t.hush(['resubmit', deployment.id])
    expect(resubmit.exitCode).toBe(2)
    expect(resubmit.stderr).toContain('is an interactive session (-i/-t), never resubmitted')
  })

  it('refuses -t without a terminal in one line, exit 2, launching nothing', async () => {
    for (const flags of [['-it'], ['-t'], ['--tty', '--interactive']]) {
      const result = await t.hush(['submit', ...flags, TEST_IMAGE, '--secret', 'hf', '--', 'sh'])
      expect(result.exitCode, flags.join(' ')).toBe(2)
      expect(result.stderr.trim(), flags.join(' ')).toBe(
        'hush: -t needs a terminal: run it from a terminal, or drop -t (-i alone attaches stdin and stdout).',
      )
    }
    expect(await storeId(t)).toBeDefined()
    expect(await t.json<DeploymentInfo[]>(['status'])).toEqual([])
  })

  it('an attach that fails leaves no container: the deployment is failed and its secret can be deleted', async () => {
    // docker creates the container (holding the value in its config); `docker start --attach` then fails.
    const result = await t.hush(
      ['submit', '-i', TEST_IMAGE, '--secret', 'hf', '--secret-file', 'hf', '--', '/no/such/command'],
      {
        input: '',
      },
    )
    expect(result.exitCode).toBe(127)
    expect(result.stderr).toMatch(/Session d-[0-9a-f]{8} ended: failed \(exit code 127\)\./)
    const [deployment] = await t.json<DeploymentInfo[]>(['status'])
    expect([deployment.state, deployment.exitCode]).toEqual(['failed', 127])
    expect(await storeContainers(t)).toEqual([])
    const files = join(envFileDir(resolvePaths({...process.env, ...t.env})), 'files', `${deployment.id}-r1`)
    expect(existsSync(files)).toBe(false)
    await t.ok(['secrets', 'delete', 'hf'])
  })

  it('removes a session nobody attaches to (interactive through the API) when its start window ends', async () => {
    const api = makeHome({HUSH_SESSION_START_SECONDS: '2'})
    try {
      await api.ok(['secrets', 'new', 'hf', `HF_TOKEN=${TOKEN}`])
      const response = await rawRequest(
        api.socket,
        'POST',
        '/v1/deployments',
        JSON.stringify({image: TEST_IMAGE, command: ['sh'], secrets: ['hf'], options: {interactive: true}}),
        {'content-type': 'application/json'},
      )
      expect(response.status, JSON.stringify(response.json)).toBeLessThan(300)
      const {id, state} = response.json as {id: string; state: string}
      expect(state).toBe('starting')
      expect(await storeContainers(api)).toHaveLength(1)
      // No command asks: the agent ends it itself once the window is over.
      await waitFor(async () => (await storeContainers(api)).length === 0, 30_000)
      const after = await api.json<DeploymentInfo>(['status', id])
      expect([after.state, after.exitCode]).toEqual(['failed', null])
      await api.ok(['secrets', 'delete', 'hf'])
    } finally {
      await removeDockerStore(api)
    }
  })

  it('runs -i with piped stdin and exits with the container code', async () => {
    const result = await t.hush(['submit', '-i', TEST_IMAGE, '--secret', 'hf', '--', 'sh'], {
      input: 'printf %s "$HF_TOKEN" | wc -c\nexit 4\n',
    })
    expect(result.exitCode).toBe(4)
    expect(result.stdout.trim()).toBe(String(TOKEN.length))
    const [deployment] = await t.json<DeploymentInfo[]>(['status'])
    expect([deployment.state, deployment.exitCode]).toEqual(['failed', 4])
    // -i reached docker as --interactive (stdin kept open), without a terminal (-t).
    const {stdout} = await execa('docker', [
      'inspect',
      '--format',
      '{{.Config.OpenStdin}} {{.Config.Tty}}',
      deployment.containerId!,
    ])
    expect(stdout.trim()).toBe('true false')
  })
})
