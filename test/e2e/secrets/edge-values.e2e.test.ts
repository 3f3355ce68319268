// Errors and edge values off the happy path: no error echoes a value, prototype-named keys are keys,
// keys that would reconfigure the docker client are refused, oversize environments fail before
// docker, unknown request fields are refused by name, a full disk says so and launches nothing,
// terminate removes anonymous volumes, and a runtime directory that is not private holds nothing.
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import type {DeploymentDetail, SecretInfo, SubmitOutput} from '../../../src/api/contract.js'
import {resolvePaths} from '../../../src/config/paths.js'
import {errorLine} from '../../support/agent-tools.js'
import {dockerAvailable, inspect, removeDockerStore, storeId, submitJson, TEST_IMAGE} from '../../support/docker.js'
import {filesUnder, makeHome, rawRequest, type TestHome} from '../../support/helpers.js'

const docker = await dockerAvailable('test/e2e/secrets/edge-values.e2e.test.ts')

let t: TestHome
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  await removeDockerStore(t)
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function storeContainers(): Promise<string[]> {
  const result = await execa('docker', ['ps', '-aq', '--filter', `label=hush.store=${await storeId(t)}`])
  return result.stdout.split('\n').filter(Boolean)
}

describe('errors never echo a value', () => {
  it('--env without = is named by position, in the CLI and over the API', async () => {
    t = makeHome()
    const value = 'hf_abcdefghijklmnopqrstuvwxyz0123'
    const cli = await t.hush(['submit', TEST_IMAGE, '--env', 'A=1', '--env', value])
    expect(cli.exitCode).toBe(2)
    expect(errorLine(cli.stderr)).toContain('--env number 2 is not KEY=VALUE')
    expect(cli.stderr + cli.stdout).not.toContain(value)
    await t.ok(['daemon', 'start'])
    for (const body of [
      {image: TEST_IMAGE, env: [value]},
      {image: TEST_IMAGE, secrets: [`${value}:x:y`]},
    ]) {
      const raw = await rawRequest(t.socket, 'POST', '/v1/deployments', JSON.stringify(body), {
        'content-type': 'application/json',
      })
      expect(raw.status).toBe(400)
      expect(raw.text).not.toContain(value)
    }
  })

  it('refuses a request field no route declares, naming it (every route)', async () => {
    t = makeHome()
    await t.ok(['daemon', 'start'])
    const submit = await rawRequest(
      t.socket,
      'POST',
      '/v1/deployments',
      JSON.stringify({image: TEST_IMAGE, privileged: true}),
      {'content-type': 'application/json'},
    )
    expect(submit.status).toBe(400)
    expect((submit.json as {error: {message: string; field: string}}).error.field).toBe('privileged')
    const list = await rawRequest(t.socket, 'GET', '/v1/secrets?includeDeleted=true&bogus=1')
    expect(list.status).toBe(400)
    expect(list.text).toContain('bogus')
    const create = await rawRequest(t.socket, 'POST', '/v1/secrets', JSON.stringify({name: 'x', values: {}, mode: 1}), {
      'content-type': 'application/json',
    })
    expect(create.status).toBe(400)
    expect(create.text).toContain('"mode"')
    expect(await t.json<SecretInfo[]>(['secrets', 'list'])).toEqual([])
  })
})

describe.skipIf(!docker)('edge values with docker', () => {
  it('stores, lists and injects __proto__ and constructor like any key', async () => {
    t = makeHome()
    await t.ok(['secrets', 'new', 'proto', '__proto__=p-value', 'constructor=c-value', 'toString=t-value'])
    const [info] = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(info.keys).toEqual(['__proto__', 'constructor', 'toString'])
    const out = await submitJson<SubmitOutput>(t, [
      TEST_IMAGE,
      '--secret',
      'proto',
      '--env',
      'hasOwnProperty=plain',
      '--wait',
      '--',
      'env',
    ])
    const facts = await inspect(out.containerId)
    expect(facts?.Config.Env).toEqual(
      expect.arrayContaining(['__proto__=p-value', 'constructor=c-value', 'toString=t-value', 'hasOwnProperty=plain']),
    )
    const detail = await t.json<DeploymentDetail>(['status', out.id])
    expect(detail.env).toEqual({hasOwnProperty: 'plain'})
    expect(detail.secrets[0].keys).toEqual(['__proto__', 'constructor', 'toString'])
  })

  it('refuses a multi-line value under a key the docker client reads, and an environment too large, before docker', async () => {
    t = makeHome()
    for (const key of ['PATH', 'LD_PRELOAD', 'HTTPS_PROXY', 'DOCKER_HOST', 'HOME']) {
      await t.ok(['secrets', 'new', `bad-${key.toLowerCase().replace('_', '-')}`, `${key}=line one\nline two`])
      const result = await t.hush(['submit', TEST_IMAGE, '--secret', `bad-${key.toLowerCase().replace('_', '-')}`])
      expect(result.exitCode).toBe(2)
      const line = errorLine(result.stderr)
      expect(line).toContain(key)
      expect(line).toContain("docker client's own environment")
      expect(line).not.toContain('line one')
    }
    // Three 60 KiB values rendered into one env value: over what one environment entry can hold.
    const part = 'x'.repeat(60 * 1024)
    await t.ok(['secrets', 'new', 'big', `A=${part}`, `B=${part}`, `C=${part}`])
    const big = await t.hush(['submit', TEST_IMAGE, '--env', 'JOINED={{big:A}}{{big:B}}{{big:C}}'])
    expect(big.exitCode).toBe(2)
    expect(errorLine(big.stderr)).toMatch(/JOINED is \d+ bytes once rendered.*Nothing was launched/)
    expect(await storeContainers()).toEqual([])
    expect(await t.json<DeploymentDetail[]>(['status'])).toEqual([])
  })

  it('terminate removes the anonymous volumes of the container', async () => {
    t = makeHome()
    const out = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--volume', '/data', '--', 'sleep', '300'])
    const facts = (await inspect(out.containerId)) as unknown as {Mounts: {Name: string; Type: string}[]}
    const volume = facts.Mounts.find((mount) => mount.Type === 'volume')?.Name
    expect(volume).toBeTruthy()
    await t.ok(['terminate', out.id, '--grace', '0'])
    const left = await execa('docker', ['volume', 'inspect', volume!], {reject: false})
    expect(left.exitCode).not.toBe(0)
  })

  it('puts nothing under an XDG_RUNTIME_DIR that is not private (socket, env-files, secret files)', async () => {
    const shared = mkdtempSync('/dev/shm/hush-shared-xdg-')
    chmodSync(shared, 0o777)
    cleanups.push(() => rmSync(shared, {recursive: true, force: true}))
    t = makeHome({XDG_RUNTIME_DIR: shared})
    await t.ok(['secrets', 'new', 'files', 'CERT=cert-value'])
    const out = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret-file', 'files', '--', 'sleep', '300'])
    expect(out.state).toBe('running')
    expect(readdirSync(shared)).toEqual([])
    await t.ok(['terminate', out.id, '--grace', '0'])
  })

  it('a full store disk: says so in one line, and a submit that cannot record launches nothing', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'hush-full-'))
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', mount], {reject: false})
    expect(mounted.exitCode, `mount tmpfs (needs root, as in CI): ${mounted.stderr}`).toBe(0)
    cleanups.push(async () => {
      await execa('umount', ['-l', mount], {reject: false})
      rmSync(mount, {recursive: true, force: true})
    })
    const home = join(mount, 'store')
    t = makeHome({HUSH_HOME: home})
    await t.ok(['secrets', 'new', 'tok', 'TOKEN=value-on-a-full-disk'])
    // Fill the disk to the last byte.
    await execa('sh', ['-c', `dd if=/dev/zero of=${join(mount, 'filler')} bs=64k 2>/dev/null; true`])
    const full = await t.hush(['secrets', 'new', 'more', `K=${'v'.repeat(60_000)}`])
    expect(full.exitCode).toBe(1)
    expect(errorLine(full.stderr)).toMatch(/No space left on the store's disk/)
    const submit = await t.hush(['submit', TEST_IMAGE, '--secret', 'tok', '--', 'sleep', '300'])
    expect(submit.exitCode).toBe(1)
    expect(errorLine(submit.stderr)).toMatch(/No space left on the store's disk/)
    expect(await storeContainers()).toEqual([])
    rmSync(join(mount, 'filler'))
    expect(await t.json<DeploymentDetail[]>(['status'])).toEqual([])
  })

  it('a full env-file tmpfs: names that directory, not the store disk, and launches nothing', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'hush-fullrun-'))
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mount], {reject: false})
    expect(mounted.exitCode, `mount tmpfs (needs root, as in CI): ${mounted.stderr}`).toBe(0)
    cleanups.push(async () => {
      await execa('umount', ['-l', mount], {reject: false})
      rmSync(mount, {recursive: true, force: true})
    })
    // A private XDG_RUNTIME_DIR on tmpfs holds the env-files (and the socket).
    t = makeHome({XDG_RUNTIME_DIR: mount})
    await t.ok(['secrets', 'new', 'tok', 'TOKEN=value-on-a-full-tmpfs'])
    await execa('sh', ['-c', `dd if=/dev/zero of=${join(mount, 'filler')} bs=4k 2>/dev/null; true`])
    for (const how of [
      ['--secret', 'tok'],
      ['--secret-file', 'tok'],
    ]) {
      const submit = await t.hush(['submit', TEST_IMAGE, ...how, '--', 'sleep', '300'])
      expect(submit.exitCode, submit.stderr).toBe(1)
      expect(errorLine(submit.stderr)).toMatch(new RegExp(`^hush: No space left in ${mount}/hush-\\d+/`))
      expect(submit.stderr).not.toContain("store's disk")
    }
    expect(await storeContainers()).toEqual([])
    rmSync(join(mount, 'filler'))
    expect(await t.json<DeploymentDetail[]>(['status'])).toEqual([])
  })
})

describe('private directories', () => {
  it('says to remove a symlinked runtime directory, not to chmod it', async () => {
    t = makeHome()
    const paths = resolvePaths({...process.env, ...t.env})
    const target = mkdtempSync(join(tmpdir(), 'hush-elsewhere-'))
    cleanups.push(() => rmSync(target, {recursive: true, force: true}))
    mkdirSync(join(paths.runtimeDir, '..'), {recursive: true, mode: 0o700})
    rmSync(paths.runtimeDir, {recursive: true, force: true})
    symlinkSync(target, paths.runtimeDir)
    cleanups.push(() => rmSync(paths.runtimeDir, {force: true}))
    const result = await t.hush(['secrets', 'list'])
    expect(result.exitCode).toBe(1)
    const line = errorLine(result.stderr)
    expect(line).toContain('is a symlink')
    expect(line).toContain(`rm ${paths.runtimeDir}`)
    expect(line).not.toContain('chmod')
    writeFileSync(join(target, 'probe'), '')
    expect(filesUnder(target)).toEqual([join(target, 'probe')])
  })
})
