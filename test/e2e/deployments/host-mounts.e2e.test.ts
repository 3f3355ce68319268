// No side door to hush's own files through docker options: while hush keeps its env-files and
// secret files under /dev/shm, a `/dev/shm` mount and `--ipc host` are refused in one line; a
// mount of HUSH_HOME's parent (also through a symlink), of a file inside it, or of a local volume
// bound to it is refused too; with a private runtime directory elsewhere, `-v /dev/shm:/dev/shm`
// and `--ipc host` run, and the container finds nothing of hush there.
import {mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join} from 'node:path'
import {execa} from 'execa'
import {afterEach, describe, expect, it, vi} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {envFileDir, resolvePaths} from '../../../src/config/paths.js'
import {
  dockerAvailable,
  ensureTestImage,
  removeDockerStore,
  storeContainers,
  submitJson,
  TEST_IMAGE,
} from '../../support/docker.js'
import {makeHome, rawRequest, type TestHome} from '../../support/helpers.js'

const docker = await dockerAvailable(import.meta.url)
vi.setConfig({testTimeout: 300_000})
const VALUE = 'shm-door-value-7f3a9c0d2e'

let t: TestHome | undefined
const undo: (() => Promise<void> | void)[] = []

afterEach(async () => {
  if (t) await removeDockerStore(t)
  t = undefined
  for (const step of undo.splice(0).reverse()) await step()
})

/** A store whose agent runs with XDG_RUNTIME_DIR=`runtime`, with one secret used as a file and in the env. */
async function storeWithRuntime(runtime: string): Promise<TestHome> {
  await ensureTestImage()
  t = makeHome({XDG_RUNTIME_DIR: runtime})
  await t.ok(['secrets', 'new', 'tok', `TOKEN=${VALUE}`])
  return t
}

describe.skipIf(!docker)('docker options that reach hush’s own files', () => {
  it('refuses /dev/shm mounts and --ipc host while hush’s files are there, and mounts of HUSH_HOME, in one line', async () => {
    // A private runtime directory on /dev/shm: the env-file and secret-file directory is under /dev/shm.
    const runtime = mkdtempSync('/dev/shm/hush-xdg-')
    undo.push(() => rmSync(runtime, {recursive: true, force: true}))
    const home = await storeWithRuntime(runtime)
    expect(
      envFileDir(resolvePaths({...process.env, ...home.env}), {...process.env, ...home.env}).startsWith('/dev/shm/'),
    ).toBe(true)
    // HUSH_HOME's parent through a symlink elsewhere.
    const links = mkdtempSync(join('/var/tmp', 'hush-links-'))
    undo.push(() => rmSync(links, {recursive: true, force: true}))
    symlinkSync(dirname(home.home), join(links, 'parent'))
    const refused: [string[], RegExp][] = [
      [
        ['-v', '/dev/shm:/dev/shm'],
        /^hush: --volume "\/dev\/shm:\/dev\/shm" would put hush's own files in the container \(its (env-file|agent's socket)/,
      ],
      [
        ['--mount', 'type=bind,source=/dev/shm,target=/dev/shm'],
        /^hush: --mount "type=bind,source=\/dev\/shm,target=\/dev\/shm" would put hush's own files/,
      ],
      [['--mount', 'type=bind,src=/dev,dst=/host-dev,readonly'], /--mount .* would put hush's own files/],
      [
        ['-v', `${dirname(home.home)}:/host-tmp`],
        /--volume .* would put hush's own files in the container \(its state directory \(HUSH_HOME\)/,
      ],
      [['-v', `${join(links, 'parent')}:/host-tmp:ro`], /its state directory \(HUSH_HOME\)/],
      [['-v', `${join(home.home, 'store.db')}:/store.db`], /its state directory \(HUSH_HOME\)/],
      [['-v', '/:/host'], /would put hush's own files/],
      [
        ['--mount', `type=volume,target=/x,volume-opt=type=none,volume-opt=o=bind,"volume-opt=device=${home.home}"`],
        /its state directory \(HUSH_HOME\)/,
      ],
      [
        ['--ipc', 'host'],
        /^hush: --ipc host would share this machine's \/dev\/shm, where hush keeps its env-files and secret files .*: drop --ipc host/,
      ],
    ]
    for (const [args, message] of refused) {
      const result = await home.hush([
        'submit',
        TEST_IMAGE,
        '--secret',
        'tok',
        '--secret-file',
        'tok',
        ...args,
        '--',
        'true',
      ])
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(result.stderr.trim(), args.join(' ')).toMatch(message)
    }
    // The agent checks API clients the same way.
    const response = await rawRequest(
      home.socket,
      'POST',
      '/v1/deployments',
      JSON.stringify({
        image: TEST_IMAGE,
        command: ['true'],
        secrets: ['tok'],
        options: {volume: ['/dev/shm:/dev/shm']},
      }),
      {'content-type': 'application/json'},
    )
    expect(response.status).toBe(400)
    expect((response.json as {error: {message: string}}).error.message).toMatch(/would put hush's own files/)
    // Nothing launched, nothing recorded; a named volume and an unrelated bind mount still run.
    expect(await storeContainers(home)).toEqual([])
    expect(await home.json<DeploymentInfo[]>(['status'])).toEqual([])
    const fine = await home.hush([
      'submit',
      TEST_IMAGE,
      '-v',
      '/etc/hostname:/host-name:ro',
      '-v',
      '/cache',
      '--',
      'true',
    ])
    expect(fine.exitCode, fine.stderr).toBe(0)
  })

  it('runs -v /dev/shm:/dev/shm and --ipc host when hush’s files live elsewhere, and the container finds none of them', async () => {
    // A private tmpfs runtime directory outside /dev/shm (as systemd gives each user /run/user/UID).
    const runtime = mkdtempSync(join(tmpdir(), 'hush-run-'))
    await execa('mount', ['-t', 'tmpfs', '-o', 'mode=0700,size=16m', 'tmpfs', runtime])
    undo.push(async () => {
      await execa('umount', ['-l', runtime], {reject: false})
      rmSync(runtime, {recursive: true, force: true})
    })
    mkdirSync(runtime, {recursive: true})
    const home = await storeWithRuntime(runtime)
    const files = envFileDir(resolvePaths({...process.env, ...home.env}), {...process.env, ...home.env})
    expect(files.startsWith(`${runtime}/`)).toBe(true)
    const tag = basename(files)
    // The container lists /dev/shm and prints every file there (docker logs: not redacted by hush).
    const look = ['--', 'sh', '-c', 'find /dev/shm; find /dev/shm -type f -exec cat {} + 2>/dev/null; true']
    for (const option of [
      ['-v', '/dev/shm:/dev/shm'],
      ['--ipc', 'host'],
    ]) {
      const submitted = await submitJson<SubmitOutput>(home, [
        TEST_IMAGE,
        '--secret',
        'tok',
        '--secret-file',
        'tok',
        ...option,
        ...look,
      ])
      await execa('docker', ['wait', submitted.containerId])
      const {stdout, stderr} = await execa('docker', ['logs', submitted.containerId])
      expect(stdout + stderr, option.join(' ')).not.toContain(tag)
      expect(stdout + stderr, option.join(' ')).not.toContain(VALUE)
      await home.ok(['terminate', submitted.id, '--grace', '0'])
    }
  })
})
