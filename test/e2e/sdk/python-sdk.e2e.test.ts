// The Python SDK (python/) as its users run it, with Debian's /usr/bin/python3 and python3-nacl:
// its unit tests, mypy --strict, `pip install` offline into a venv, and the anycloud flow against
// the real agent (started by the SDK through the hush program), keyring and docker engine.
import {chmodSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {resolvePaths} from '../../../src/config/paths.js'
import {dockerAvailable, removeDockerStore, TEST_IMAGE} from '../../support/docker.js'
import {BIN, makeHome, ROOT, type TestHome} from '../../support/helpers.js'

/** Debian's interpreter, which sees python3-nacl (the first python3 on PATH may be another one). */
const PYTHON = '/usr/bin/python3'
const PACKAGE = join(ROOT, 'python')

const docker = await dockerAvailable(import.meta.url)

const python = (args: string[], options: {cwd?: string; env?: Record<string, string>} = {}) =>
  execa(PYTHON, args, {cwd: options.cwd ?? PACKAGE, env: options.env, reject: false, stdin: 'ignore', all: true})

describe('the Python SDK package', () => {
  it('passes its unit tests (python3 -m unittest)', async () => {
    const result = await python(['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.', '-v'])
    expect(result.exitCode, result.all).toBe(0)
    expect(result.all).toMatch(/Ran \d+ tests/)
  })

  it('type-checks with mypy --strict, for Python 3.9 and later', async () => {
    const result = await python([
      '-m',
      'mypy',
      '--strict',
      '--python-version',
      '3.9',
      'hush',
      'tests',
      'examples/anycloud.py',
      'build_backend.py',
    ])
    expect(result.exitCode, result.all).toBe(0)
  })

  it('installs with pip offline (no registry, no build tool from it) and carries py.typed', async () => {
    const venv = mkdtempSync(join(tmpdir(), 'hush-venv-'))
    try {
      const made = await python(['-m', 'venv', '--system-site-packages', venv])
      expect(made.exitCode, made.all).toBe(0)
      const pip = await execa(
        join(venv, 'bin', 'python'),
        ['-m', 'pip', 'install', '--no-index', '--no-cache-dir', '--disable-pip-version-check', PACKAGE],
        {reject: false, stdin: 'ignore', all: true, cwd: venv},
      )
      expect(pip.exitCode, pip.all).toBe(0)
      const probe = await execa(
        join(venv, 'bin', 'python'),
        [
          '-c',
          'import hush, os; d = os.path.dirname(hush.__file__); print(d); print(os.path.exists(os.path.join(d, "py.typed")))',
        ],
        {reject: false, stdin: 'ignore', all: true, cwd: venv},
      )
      expect(probe.exitCode, probe.all).toBe(0)
      const [where, typed] = probe.stdout.split('\n')
      expect(where.startsWith(venv)).toBe(true)
      expect(typed).toBe('True')
    } finally {
      rmSync(venv, {recursive: true, force: true})
    }
  })

  it('finds the same socket as the CLI', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hush-py-home-'))
    const openDir = join(home, 'open')
    mkdirSync(openDir, {mode: 0o755})
    chmodSync(openDir, 0o755)
    try {
      for (const env of <Array<Record<string, string>>>[
        {HUSH_HOME: home},
        {HUSH_HOME: join(home, 'x'.repeat(120))},
        {HUSH_HOME: home, XDG_RUNTIME_DIR: ''},
        // A runtime directory others can read is not used (the temp directory is).
        {HUSH_HOME: home, XDG_RUNTIME_DIR: openDir},
      ]) {
        const full = {...(process.env as Record<string, string>), ...env}
        const result = await python(['-c', 'from hush._paths import resolve_paths; print(resolve_paths().socket)'], {
          env: full,
        })
        expect(result.exitCode, result.all).toBe(0)
        expect(result.stdout).toBe(resolvePaths(full).socket)
      }
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })
})

describe.skipIf(!docker)('the anycloud flow from Python', () => {
  let t: TestHome

  beforeEach(() => {
    t = makeHome()
  })

  afterEach(async () => {
    await removeDockerStore(t)
  })

  it('creates two bundles, submits with both, rotates, resubmits, is refused a delete in use, forces it', async () => {
    expect(t.agentPid()).toBeUndefined()
    const result = await python(['examples/anycloud.py', TEST_IMAGE], {
      env: {...(process.env as Record<string, string>), ...t.env, HUSH_BIN: BIN, PYTHONPATH: PACKAGE},
    })
    expect(result.exitCode, result.all).toBe(0)
    // The SDK started the agent through the hush program.
    expect(t.agentPid()).toBeGreaterThan(0)
    const report = JSON.parse(result.stdout)
    expect(report.listed).toEqual(['hf', 'wandb'])
    expect(report.submitted).toEqual({state: 'running', HF_TOKEN: true, WANDB_API_KEY: true, PLAIN: 'visible'})
    expect(report.rotated).toEqual({version: 2, stale: true})
    expect(report.staleInStatus).toBe(true)
    expect(report.resubmitted).toMatchObject({revision: 2, HF_TOKEN: true, newContainer: true})
    expect(report.resubmitted.hashes.HF_TOKEN).toBe(report.expectedHash)
    expect(report.deleteBlocked.code).toBe('secret_in_use')
    expect(report.deleteBlocked.deployments).toHaveLength(1)
    expect(report.forced).toEqual({deleted: true, running: report.deleteBlocked.deployments})
    expect(report.resubmitAfterDelete).toEqual({code: 'unknown_secret', missing: ['hf']})
    expect(report.terminated).toBe('terminated')
    // No value reached the SDK's output or the agent's log.
    const audit = await t.json<Array<{event: string; secret: string | null}>>(['audit'])
    expect(audit.map((e) => e.event)).toEqual(
      expect.arrayContaining(['secret.created', 'secret.rotated', 'deployment.resubmitted', 'secret.deleted']),
    )
  })

  it('raises before sending when a value is not str or bytes, and maps agent errors to exceptions', async () => {
    const script = `
import hush
c = hush.Client()
try:
    c.create_secret("n", {"K": 1})
except TypeError as e:
    print("type", e)
try:
    c.show_secret("nope")
except hush.SecretNotFound as e:
    print("code", e.code)
try:
    c.create_secret("bad name!", {"K": "v"})
except hush.InvalidName as e:
    print("code", e.code)
print("names", [s["name"] for s in c.list_secrets()])
`
    const result = await python(['-c', script], {
      env: {...(process.env as Record<string, string>), ...t.env, HUSH_BIN: BIN, PYTHONPATH: PACKAGE},
    })
    expect(result.exitCode, result.all).toBe(0)
    expect(result.stdout.split('\n')).toEqual([
      'type The value of K is a int: give str or bytes.',
      'code secret_not_found',
      'code invalid_name',
      'names []',
    ])
  })
})
