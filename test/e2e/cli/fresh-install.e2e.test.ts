// The README's first command on a new machine, as a new user would meet it: `npm ci` in a fresh clone
// with the Node that runs the tests (Node 24 under .ci/run) and npm only. Nothing comes from this
// checkout or this user: an empty HOME, so an empty npm cache (every package, about 160 MB, from the
// registry: a warm cache measured no faster here, the time goes to writing files, which is why the
// test works on a tmpfs of its own); no npm config (no npm_config_* variable, user and global config
// empty files); install scripts allowed. In a private mount namespace (`unshare -m`) no compiler,
// make, cmake or Python and no Node or libsecret headers are reachable (empty files and directories
// mounted over them, proven before npm runs), and neither GitHub nor nodejs.org answers (where
// prebuilt-binary downloaders and node-gyp fetch from): only the npm registry is left. So a package
// that wanted to compile or to download a binary would fail the install (better-sqlite3 did). The
// machine's own network settings (a proxy, an extra CA) are kept: they are how it reaches the
// registry. Then the clone's hush (built by npm ci's prepare) stores a secret whose master key goes
// to the real gnome-keyring of this session, and launches a container with it.
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Hello, SubmitOutput} from '../../../src/api/contract.js'
import {dockerAvailable, inspectEnv, removeStoreContainers, SLEEPER, storeId, TEST_IMAGE} from '../../support/docker.js'
import {ROOT, stopProcess} from '../../support/helpers.js'

const docker = await dockerAvailable('test/e2e/cli/fresh-install.e2e.test.ts')
const work = mkdtempSync(join(tmpdir(), 'hush-fresh-'))
const clone = join(work, 'hush')
const home = join(work, 'home')
const store = join(work, 'store')
/** A new machine's PATH, with the Node of this run first. */
const PATH = [dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']
/** What could build a native addon: hidden, each one proven hidden before npm runs. */
const BUILD_TOOLS = ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'cmake', 'python3', 'python']
const HEADERS = ['/usr/include/node', '/usr/include/libsecret-1']
/** Where prebuild-install, node-pre-gyp and node-gyp download from. */
const DOWNLOAD_HOSTS = [
  'github.com',
  'api.github.com',
  'codeload.github.com',
  'objects.githubusercontent.com',
  'release-assets.githubusercontent.com',
  'raw.githubusercontent.com',
  'nodejs.org',
  'unofficial-builds.nodejs.org',
]
/** The machine's network settings, kept (they are not npm's). */
const NETWORK = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
]
let account: string | undefined
let agentPid: number | undefined

/** The environment of a new user: PATH, HOME, the network settings; the keyring's session for hush. */
function freshEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {PATH: PATH.join(':'), HOME: home, ...extra}
  for (const name of NETWORK) if (process.env[name]) env[name] = process.env[name]
  return env
}

/** The clone's hush, for this user: its own store, and the session's keyring. */
function hush(args: string[]) {
  const env = freshEnv({HUSH_HOME: store, HUSH_IDLE_TIMEOUT: '60'})
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'GNOME_KEYRING_CONTROL', 'XDG_RUNTIME_DIR']) {
    if (process.env[name]) env[name] = process.env[name]
  }
  return execa(process.execPath, [join(clone, 'bin/run.js'), ...args], {
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  })
}

beforeAll(async () => {
  // All of it on a tmpfs of its own: the filesystem here makes removing ~30,000 files of node_modules
  // cost half a minute; an unmount frees them at once.
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=2g,mode=0700', 'hush-fresh', work], {
    reject: false,
  })
  expect(mounted.exitCode, `mount a tmpfs on ${work} (the test runs as root): ${mounted.stderr}`).toBe(0)
})

afterAll(async () => {
  if (existsSync(join(clone, 'bin/run.js'))) {
    await removeStoreContainers(await storeId({home: store}).catch(() => undefined))
    await hush(['daemon', 'stop'])
    // `daemon stop` returns when the socket is gone; the process may still hold its files on the tmpfs.
    await stopProcess(agentPid)
  }
  if (account) await execa('secret-tool', ['clear', 'service', 'hush', 'username', account], {reject: false})
  const unmounted = await execa('umount', [work], {reject: false})
  expect(unmounted.exitCode, `umount ${work}: ${unmounted.stderr}`).toBe(0)
  rmSync(work, {recursive: true, force: true})
})

/** The shell script run in the private mount namespace: hide, prove hidden, install. */
function installScript(): string {
  const empty = join(work, 'empty')
  const emptyFile = join(work, 'empty-file')
  mkdirSync(empty)
  writeFileSync(emptyFile, '')
  const userConfig = join(work, 'npmrc-user')
  const globalConfig = join(work, 'npmrc-global')
  writeFileSync(userConfig, '')
  writeFileSync(globalConfig, '')
  const hosts = join(work, 'hosts')
  writeFileSync(
    hosts,
    `${readFileSync('/etc/hosts', 'utf8')}\n${DOWNLOAD_HOSTS.map((host) => `0.0.0.0 ${host}`).join('\n')}\n`,
  )
  return [
    'set -euo pipefail',
    // Every build tool on PATH: an empty, non-executable file over the program it resolves to.
    `for tool in ${BUILD_TOOLS.join(' ')}; do`,
    '  found=$(command -v "$tool" || true)',
    `  if [ -n "$found" ]; then mount --bind ${emptyFile} "$(readlink -f "$found")"; fi`,
    'done',
    `for dir in ${HEADERS.join(' ')}; do if [ -d "$dir" ]; then mount --bind ${empty} "$dir"; fi; done`,
    `mount --bind ${hosts} /etc/hosts`,
    // The proof: no build tool runs, no header is left, no download host answers.
    `for tool in ${BUILD_TOOLS.join(' ')}; do`,
    '  if "$tool" --version >/dev/null 2>&1; then echo "fresh-install: $tool still runs" >&2; exit 1; fi',
    'done',
    `for dir in ${HEADERS.join(' ')}; do`,
    '  if [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then echo "fresh-install: $dir is not empty" >&2; exit 1; fi',
    'done',
    `for host in ${DOWNLOAD_HOSTS.join(' ')}; do`,
    '  if node -e "fetch(process.argv[1], {signal: AbortSignal.timeout(5000)}).then(() => process.exit(0), () => process.exit(1))" "https://$host/"; then',
    '    echo "fresh-install: $host answers" >&2; exit 1',
    '  fi',
    'done',
    'echo "fresh-install: build tools, headers and download hosts hidden"',
    `cd ${clone}`,
    `npm ci --no-audit --no-fund --userconfig=${userConfig} --globalconfig=${globalConfig}`,
  ].join('\n')
}

describe('fresh install', () => {
  it('npm ci with no compiler, Python, headers or GitHub, then a secret in the real keyring and a container with it', async () => {
    expect(
      process.env.DBUS_SESSION_BUS_ADDRESS,
      'run with `npm test` (a D-Bus session with gnome-keyring)',
    ).toBeTruthy()
    expect(docker, 'the container half needs a Docker engine').toBe(true)
    const cloned = await execa('git', ['clone', '-q', ROOT, clone], {reject: false})
    expect(cloned.exitCode, cloned.stderr).toBe(0)
    mkdirSync(home)

    const installed = await execa('unshare', ['-m', 'bash', '-c', installScript()], {
      env: freshEnv(),
      extendEnv: false,
      reject: false,
      all: true,
    })
    expect(installed.exitCode, installed.all).toBe(0)
    expect(installed.stdout).toContain('fresh-install: build tools, headers and download hosts hidden')

    // The binding npm picked for this platform is prebuilt and links neither libdbus nor libsecret.
    const scope = join(clone, 'node_modules/@napi-rs')
    const platform = readdirSync(scope).find((name) => name.startsWith('keyring-'))
    expect(platform).toBeTruthy()
    const binding = readdirSync(join(scope, platform!)).find((name) => name.endsWith('.node'))!
    const ldd = await execa('ldd', [join(scope, platform!, binding)])
    expect(ldd.stdout).not.toMatch(/libdbus|libsecret/)
    expect(existsSync(join(clone, 'node_modules/keytar'))).toBe(false)
    // npm ci ran the clone's prepare: the build the commands run is the clone's own.
    expect(existsSync(join(clone, 'dist/bundle/hush.js'))).toBe(true)

    const created = await hush(['secrets', 'new', 'fresh', 'FRESH_TOKEN=fresh-value-7c1d'])
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.stdout).toBe('Created secret fresh: version 1, keys FRESH_TOKEN.')
    const status = JSON.parse((await hush(['daemon', 'status', '--json'])).stdout) as Hello
    account = status.keyringAccount ?? undefined
    agentPid = status.pid
    expect(status.keyring).toBe('os')
    const lookup = await execa('secret-tool', ['lookup', 'service', 'hush', 'username', String(account)], {
      reject: false,
    })
    expect(Buffer.from(lookup.stdout, 'base64')).toHaveLength(32)

    const submitted = await hush(['submit', TEST_IMAGE, '--secret', 'fresh', '--json', ...SLEEPER])
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    const out = JSON.parse(submitted.stdout) as SubmitOutput
    expect(out.state).toBe('running')
    expect((await inspectEnv(out.containerId)).FRESH_TOKEN).toBe('fresh-value-7c1d')
    const terminated = await hush(['terminate', out.id])
    expect(terminated.exitCode, terminated.stderr).toBe(0)
  }, 600_000)
})
