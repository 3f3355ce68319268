// Swarm deployments on one node (the test engine, made a swarm manager by the global setup), as a
// user sees them: env and files reach every replica (read inside the task containers, and as
// `docker service inspect` shows them), precedence as for a local deployment, rotate -> STALE ->
// resubmit rolls new values onto every replica and removes the old Swarm secrets, a failing update
// rolls back and says so, logs are redacted, terminate leaves no hush Swarm secret; and off the
// happy path: bad flags, an image no node has, an engine that is no swarm manager.
import {randomBytes} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {errorLine} from '../../support/agent-tools.js'
import {inspectEnv, removeDockerStore, storeId, submitJson, TEST_IMAGE} from '../../support/docker.js'
import {makeHome, type TestHome, waitFor} from '../../support/helpers.js'
import {type SecondEngine, startSecondEngine} from '../../support/second-engine.js'
import {
  containersOn,
  deploymentId,
  dockerFor,
  envInside,
  inspectService,
  manager,
  readInside,
  removeSwarmObjects,
  type SwarmDeployment,
  storeServices,
  storeSwarmSecrets,
  swarmTestFile,
} from '../../support/swarm-tools.js'

const FILE = 'test/e2e/swarm/swarm.e2e.test.ts'
const swarm = await swarmTestFile(FILE)
// Services converge, roll and roll back in seconds each, slower on a busy two-core machine.
vi.setConfig({testTimeout: 300_000})

const run = randomBytes(3).toString('hex')
/** A job that runs until SIGTERM. */
const LONG = ['--', 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait']

let t: TestHome
let store: string

beforeAll(async () => {
  if (!swarm) return
  t = makeHome()
  await t.ok(['secrets', 'new', 'app', `API_TOKEN=app-token-${run}`, 'SHARED=from-app'])
  store = (await storeId(t))!
}, 120_000)
afterAll(async () => {
  if (!t) return
  await removeSwarmObjects(await storeId(t))
  await removeDockerStore(t)
}, 180_000)

/** `hush submit --swarm ...args`, expected to succeed; the deployment id and its stderr. */
async function swarmSubmit(args: string[]): Promise<{id: string; stderr: string}> {
  const result = await t.hush(['submit', '--swarm', ...args])
  expect(result.exitCode, `submit --swarm ${args.join(' ')}: ${result.stderr}`).toBe(0)
  return {id: deploymentId(result.stdout), stderr: result.stderr}
}

const status = (id: string) => t.json<SwarmDeployment>(['status', id])

/** KEY -> VALUE of an env list as docker keeps it. */
function envOf(lines: string[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (lines ?? []).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
}

/** The Swarm secrets the service mounts, by container path. */
async function mountedSecrets(serviceId: string) {
  const service = await inspectService(serviceId)
  const secrets = service?.Spec.TaskTemplate.ContainerSpec.Secrets ?? []
  return Object.fromEntries(
    secrets.map((secret) => [
      secret.File.Name.startsWith('/') ? secret.File.Name : `/run/secrets/${secret.File.Name}`,
      secret,
    ]),
  )
}

describe.skipIf(!swarm)('Swarm deployments on one node', () => {
  it('delivers env and files to every replica, as docker service inspect shows, with local precedence', async () => {
    const pem = `-----BEGIN KEY-----\n${randomBytes(30).toString('base64')}\n-----END KEY-----`
    const pg = `pg-${randomBytes(8).toString('hex')}`
    await t.ok(['secrets', 'new', 'later', 'SHARED=from-later', 'OTHER=from-later'])
    await t.ok(['secrets', 'new', 'tls', '--from-stdin', 'TLS_KEY'], {input: `${pem}\n`})
    await t.ok(['secrets', 'new', 'db', `PGPASSWORD=${pg}`])
    const values = ['--secret', 'app', '--secret', 'later', '--secret', 'ALIAS=app:API_TOKEN', '--env', 'OTHER=plain']
    const files = ['--secret-file', 'tls', '--secret-file', 'db,uid=1000,gid=1001,mode=0440,target=/run/secrets/db']
    const {id, stderr} = await swarmSubmit([
      TEST_IMAGE,
      '--replicas',
      '2',
      ...values,
      ...files,
      '--name',
      `web-${run}`,
      '--wait',
      ...LONG,
    ])
    // One line: env values sit in the service spec, --secret-file is the safer choice on a cluster.
    const notes = stderr.split('\n').filter((line) => line.includes('--secret-file'))
    expect(notes, stderr).toHaveLength(1)
    expect(notes[0]).toMatch(/service spec|docker service inspect/)

    const d = await status(id)
    expect(d).toMatchObject({
      target: 'swarm',
      containerId: null,
      state: 'running',
      revision: 1,
      stale: false,
      replicas: {running: 2, desired: 2},
      env: {OTHER: 'plain'},
    })
    expect(typeof d.serviceId).toBe('string')
    expect(d.tasks).toHaveLength(2)
    for (const task of d.tasks) expect(task).toMatchObject({state: 'running', revision: 1, error: null})

    // Precedence exactly as a local deployment of the same flags gets it.
    const local = await submitJson<SubmitOutput>(t, [TEST_IMAGE, ...values, ...files, ...LONG])
    const localEnv = await inspectEnv(local.containerId)
    const localInfo = await t.json<DeploymentInfo>(['status', local.id])
    expect(d.secrets).toEqual(localInfo.secrets)
    await t.ok(['terminate', local.id])

    const service = (await inspectService(d.serviceId))!
    expect(service.Spec.Labels).toMatchObject({'hush.deployment': id, 'hush.store': store, 'hush.revision': '1'})
    expect(service.Spec.TaskTemplate.ContainerSpec.Labels).toMatchObject({'hush.deployment': id, 'hush.revision': '1'})
    expect(service.Spec.Mode.Replicated?.Replicas).toBe(2)
    const specEnv = envOf(service.Spec.TaskTemplate.ContainerSpec.Env)
    for (const key of ['API_TOKEN', 'SHARED', 'ALIAS', 'OTHER']) expect(specEnv[key], key).toBe(localEnv[key])
    expect(specEnv).toMatchObject({API_TOKEN: `app-token-${run}`, SHARED: 'from-later', ALIAS: `app-token-${run}`})
    expect(service.Spec.TaskTemplate.ContainerSpec.Env!.filter((line) => line.startsWith('OTHER='))).toEqual([
      'OTHER=plain',
    ])
    // Files are Swarm secrets, never env.
    expect(Object.keys(specEnv)).not.toContain('TLS_KEY')
    expect(Object.keys(specEnv)).not.toContain('PGPASSWORD')

    const mounts = await mountedSecrets(d.serviceId)
    expect(Object.keys(mounts).sort()).toEqual(['/run/secrets/TLS_KEY', '/run/secrets/db/PGPASSWORD'])
    expect(mounts['/run/secrets/TLS_KEY'].SecretName).toMatch(/^hush-.+-tls-v1-TLS_KEY$/)
    expect(mounts['/run/secrets/TLS_KEY'].File.Mode).toBe(0o400)
    expect(mounts['/run/secrets/db/PGPASSWORD'].SecretName).toMatch(/^hush-.+-db-v1-PGPASSWORD$/)
    expect(mounts['/run/secrets/db/PGPASSWORD'].File).toMatchObject({UID: '1000', GID: '1001', Mode: 0o440})
    const made = await storeSwarmSecrets(store)
    expect(made.map((secret) => secret.Spec.Name).sort()).toEqual(
      Object.values(mounts)
        .map((mount) => mount.SecretName)
        .sort(),
    )
    for (const secret of made) {
      const key = secret.Spec.Name.endsWith('-TLS_KEY') ? 'TLS_KEY' : 'PGPASSWORD'
      expect(secret.Spec.Labels).toMatchObject({
        'hush.store': store,
        'hush.secret': key === 'TLS_KEY' ? 'tls' : 'db',
        'hush.version': '1',
        'hush.key': key,
      })
    }

    // Inside each replica: the values, byte for byte, and the files' owners and mode.
    const containers = await containersOn(manager, d.serviceId)
    expect(containers).toHaveLength(2)
    for (const container of containers) {
      expect(await envInside(manager, container, 'API_TOKEN')).toBe(`app-token-${run}`)
      expect(await envInside(manager, container, 'ALIAS')).toBe(`app-token-${run}`)
      expect(await envInside(manager, container, 'SHARED')).toBe('from-later')
      expect(await envInside(manager, container, 'OTHER')).toBe('plain')
      expect(await envInside(manager, container, 'TLS_KEY')).toBeUndefined()
      expect(await readInside(manager, container, '/run/secrets/TLS_KEY')).toBe(pem)
      expect(await readInside(manager, container, '/run/secrets/db/PGPASSWORD')).toBe(pg)
      const listed = await manager(['exec', container, 'ls', '-ln', '/run/secrets/db/PGPASSWORD'])
      expect(listed.stdout.trim().split(/\s+/).slice(0, 4), listed.stderr).toEqual(['-r--r-----', '1', '1000', '1001'])
    }
  })

  it('rotate marks it STALE; resubmit rolls the new values onto every replica and removes the old Swarm secrets', async () => {
    await t.ok(['secrets', 'new', 'rot', `TOKEN=old-${run}`])
    await t.ok(['secrets', 'new', 'rotfile', `KEY=oldfile-${run}`])
    const {id} = await swarmSubmit([
      TEST_IMAGE,
      '--replicas',
      '2',
      '--secret',
      'rot',
      '--secret-file',
      'rotfile',
      '--name',
      `rot-${run}`,
      '--wait',
      ...LONG,
    ])
    const first = await status(id)
    const oldNames = Object.values(await mountedSecrets(first.serviceId)).map((mount) => mount.SecretName)
    expect(oldNames).toHaveLength(1)

    const rotated = await t.ok(['secrets', 'rotate', 'rotfile', `KEY=newfile-${run}`])
    expect(rotated.stdout).toContain(id)
    await t.ok(['secrets', 'rotate', 'rot', `TOKEN=new-${run}`])
    expect(await status(id)).toMatchObject({stale: true, state: 'running'})
    // Still in use: the old Swarm secret stays, and deleting the hush secret is refused.
    expect((await storeSwarmSecrets(store)).map((secret) => secret.Spec.Name)).toContain(oldNames[0])
    const refused = await t.hush(['secrets', 'delete', 'rotfile', '--json'])
    expect(refused.exitCode).toBe(1)
    expect(JSON.parse(refused.stdout).error).toMatchObject({code: 'secret_in_use', deployments: [id]})

    const resubmitted = await t.hush(['resubmit', id])
    expect(resubmitted.exitCode, resubmitted.stderr).toBe(0)
    const second = await status(id)
    expect(second).toMatchObject({stale: false, state: 'running', replicas: {running: 2, desired: 2}})
    expect(second.revision).toBeGreaterThan(first.revision)
    expect(second.tasks.map((task) => task.revision)).toEqual([second.revision, second.revision])
    expect(second.secrets.map((secret) => secret.version)).toEqual([2, 2])
    expect((await inspectService(second.serviceId))!.Spec.Labels['hush.revision']).toBe(String(second.revision))
    const containers = await containersOn(manager, second.serviceId)
    expect(containers).toHaveLength(2)
    for (const container of containers) {
      expect(await envInside(manager, container, 'TOKEN')).toBe(`new-${run}`)
      expect(await readInside(manager, container, '/run/secrets/KEY')).toBe(`newfile-${run}`)
    }
    const names = (await storeSwarmSecrets(store)).map((secret) => secret.Spec.Name)
    expect(names).not.toContain(oldNames[0])
    expect(names.filter((name) => /-rotfile-v2-KEY$/.test(name))).toHaveLength(1)

    // `secrets rotate --resubmit` does both in one command.
    const again = await t.hush(['secrets', 'rotate', 'rotfile', `KEY=third-${run}`, '--resubmit'])
    expect(again.exitCode, again.stderr).toBe(0)
    const third = await status(id)
    expect(third).toMatchObject({stale: false, replicas: {running: 2, desired: 2}})
    expect(third.revision).toBeGreaterThan(second.revision)
    for (const container of await containersOn(manager, third.serviceId)) {
      expect(await readInside(manager, container, '/run/secrets/KEY')).toBe(`third-${run}`)
    }
    expect(
      (await storeSwarmSecrets(store)).filter((secret) => secret.Spec.Labels['hush.secret'] === 'rotfile'),
    ).toHaveLength(1)
  })

  it('a failing update rolls back: resubmit exits 1 saying so, stays STALE, the old version keeps running', async () => {
    await t.ok(['secrets', 'new', 'mode', `MODE=good-${run}`])
    // The job will not start when its mode file says broken: the next revision fails, as a bad release would.
    const guarded = [
      '--',
      'sh',
      '-c',
      'grep -q broken /run/secrets/MODE && exit 3; trap "exit 0" TERM; sleep 3600 & wait',
    ]
    const {id} = await swarmSubmit([
      TEST_IMAGE,
      '--replicas',
      '2',
      '--secret-file',
      'mode',
      '--name',
      `guard-${run}`,
      '--wait',
      ...guarded,
    ])
    const before = await status(id)
    const oldNames = Object.values(await mountedSecrets(before.serviceId)).map((mount) => mount.SecretName)

    await t.ok(['secrets', 'rotate', 'mode', 'MODE=broken'])
    const failed = await t.hush(['resubmit', id])
    expect(failed.exitCode).toBe(1)
    expect(errorLine(failed.stderr)).toContain('rolled back')
    const after = await status(id)
    expect(after).toMatchObject({stale: true, state: 'running', replicas: {running: 2, desired: 2}})
    expect(after.update.state).toBe('rollback_completed')
    expect(after.tasks.map((task) => task.revision)).toEqual([before.revision, before.revision])
    expect(Object.values(await mountedSecrets(after.serviceId)).map((mount) => mount.SecretName)).toEqual(oldNames)
    expect((await storeSwarmSecrets(store)).map((secret) => secret.Spec.Name)).toContain(oldNames[0])
    const containers = await containersOn(manager, after.serviceId)
    expect(containers).toHaveLength(2)
    for (const container of containers) {
      expect(await readInside(manager, container, '/run/secrets/MODE')).toBe(`good-${run}`)
    }

    // Fixed value, next resubmit: it goes through.
    await t.ok(['secrets', 'rotate', 'mode', `MODE=fixed-${run}`])
    const fixed = await t.hush(['resubmit', id])
    expect(fixed.exitCode, fixed.stderr).toBe(0)
    const good = await status(id)
    expect(good).toMatchObject({stale: false, state: 'running', replicas: {running: 2, desired: 2}})
    expect(good.tasks.map((task) => task.revision)).toEqual([good.revision, good.revision])
    for (const container of await containersOn(manager, good.serviceId)) {
      expect(await readInside(manager, container, '/run/secrets/MODE')).toBe(`fixed-${run}`)
    }
    expect((await storeSwarmSecrets(store)).map((secret) => secret.Spec.Name)).not.toContain(oldNames[0])
  })

  it('logs redact every value (split writes, past docker 16 KiB buffer, multi-line files); terminate leaves nothing', async () => {
    const value = `split-secret-${randomBytes(6).toString('hex')}`
    const pem = `-----BEGIN KEY-----\n${randomBytes(30).toString('base64')}\n${randomBytes(30).toString('base64')}\n-----END KEY-----`
    await t.ok(['secrets', 'new', 'tok', `TOK=${value}`])
    await t.ok(['secrets', 'new', 'pemfile', '--from-stdin', 'KEY'], {input: `${pem}\n`})
    const half = value.length / 2
    const script = [
      // The value in two writes a moment apart, so docker streams it in two chunks.
      `printf 'before %s' "\${TOK%${value.slice(half)}}"; sleep 1; printf '%s after\\n' "\${TOK#${value.slice(0, half)}}"`,
      'echo "err $TOK" >&2',
      // Past docker's 16 KiB log buffer, so docker itself cuts the line inside the value.
      `i=0; while [ $i -lt 1637 ]; do printf aaaaaaaaaa; i=$((i+1)); done; printf '%s' "$TOK"; echo ' tail'`,
      'cat /run/secrets/KEY; echo; echo printed-all',
      'trap "exit 0" TERM; sleep 3600 & wait',
    ].join('; ')
    const {id} = await swarmSubmit([
      TEST_IMAGE,
      '--secret',
      'tok',
      '--secret-file',
      'pemfile',
      '--name',
      `logs-${run}`,
      '--wait',
      '--',
      'sh',
      '-c',
      script,
    ])
    const d = await status(id)
    // docker's own service logs hold the values: the job really printed them.
    let raw = ''
    await waitFor(async () => {
      raw = (await manager(['service', 'logs', '--raw', d.serviceId])).stdout
      return raw.includes('printed-all')
    }, 120_000)
    expect(raw).toContain(value)
    expect(raw).toContain(pem.split('\n')[1])

    const logs = await t.ok(['logs', id])
    const shown = logs.stdout + logs.stderr
    const around = (part: string) => shown.slice(Math.max(0, shown.indexOf(part) - 60), shown.indexOf(part) + 60)
    for (const part of [value, value.slice(0, half), value.slice(half)]) {
      expect(shown.includes(part), `hush logs shows ${part}: ...${around(part)}...`).toBe(false)
    }
    for (const line of pem.split('\n').filter((item) => item.length >= 4)) {
      expect(shown.includes(line), `hush logs shows a line of the file: ${line}`).toBe(false)
    }
    expect(logs.stdout).toContain('before *** after')
    expect(shown).toContain('err ***')
    expect(logs.stdout.includes(`${'a'.repeat(100)}*** tail`), 'the line cut by docker, redacted').toBe(true)
    expect(shown).toContain('printed-all')

    const terminated = await t.hush(['terminate', id])
    expect(terminated.exitCode, terminated.stderr).toBe(0)
    expect((await status(id)).state).toBe('terminated')
    expect(await inspectService(d.serviceId)).toBeUndefined()
    expect(
      (await storeSwarmSecrets(store)).filter((secret) => secret.Spec.Labels['hush.secret'] === 'pemfile'),
    ).toEqual([])
    await t.ok(['secrets', 'delete', 'pemfile'])
  })

  it('bad flags: one line, exit 2, nothing created', async () => {
    const deployments = (await t.json<DeploymentInfo[]>(['status'])).length
    const services = (await storeServices(store)).length
    const secrets = (await storeSwarmSecrets(store)).length
    await t.ok(['secrets', 'new', 'unused', `U=unused-${run}`])
    for (const flags of [
      ['--replicas', '0'],
      ['--replicas', '-1'],
      ['--replicas', 'abc'],
      ['--constraint', 'node.role==manager\nnode.role==worker'],
      ['--placement-pref', 'spread=node.id\nx'],
    ]) {
      const result = await t.hush(['submit', '--swarm', TEST_IMAGE, '--secret-file', 'unused', ...flags, ...LONG])
      expect(result.exitCode, `${flags.join(' ')}: ${result.stderr}`).toBe(2)
      expect(errorLine(result.stderr)).toMatch(flags[0])
      expect(result.stdout).toBe('')
    }
    expect((await t.json<DeploymentInfo[]>(['status'])).length).toBe(deployments)
    expect((await storeServices(store)).length).toBe(services)
    expect((await storeSwarmSecrets(store)).length).toBe(secrets)
  })

  it('an image no node has: --wait exits 1 with the task error, and status shows the task rejected', async () => {
    const image = `hush-test/absent-${run}`
    const waited = await t.hush([
      'submit',
      '--swarm',
      image,
      '--env',
      'A=1',
      '--name',
      `absent-${run}`,
      '--wait',
      ...LONG,
    ])
    expect(waited.exitCode, waited.stderr).toBe(1)
    // A progress line may come first; the error is the last line.
    expect(waited.stderr.trim().split('\n').at(-1)).toMatch(
      /no such image|not found|pull access denied|does not exist/i,
    )
    const [d] = (await t.json<SwarmDeployment[]>(['status'])).filter((item) => item.name === `absent-${run}`)
    expect(d).toBeDefined()
    const detail = await status(d.id)
    expect(detail.state).toBe('failed')
    expect(detail.replicas.running).toBe(0)
    expect(detail.tasks.length).toBeGreaterThan(0)
    expect(detail.tasks.some((task) => ['rejected', 'failed'].includes(task.state) && Boolean(task.error))).toBe(true)
    expect((await t.ok(['status', d.id])).stdout).toMatch(/rejected|failed/)
    await t.ok(['terminate', d.id])
  })

  it('on an engine that is no swarm manager: exit 1, one line naming docker swarm init, nothing created', async () => {
    let engine: SecondEngine | undefined
    let other: TestHome | undefined
    let wrapper: ReturnType<typeof dockerFor> | undefined
    try {
      engine = await startSecondEngine(TEST_IMAGE)
      wrapper = dockerFor(engine.host)
      other = makeHome({HUSH_DOCKER: wrapper.path})
      await other.ok(['secrets', 'new', 'x', `X=not-a-manager-${run}`])
      for (const form of [
        ['--secret-file', 'x'],
        ['--env', 'A=1'],
      ]) {
        const result = await other.hush(['submit', '--swarm', TEST_IMAGE, ...form, ...LONG])
        expect(result.exitCode, result.stderr).toBe(1)
        expect(errorLine(result.stderr)).toContain('docker swarm init')
        expect(result.stdout).toBe('')
      }
      expect(await other.json<DeploymentInfo[]>(['status'])).toEqual([])
      expect((await engine.docker(['ps', '-aq'])).stdout.trim()).toBe('')
    } finally {
      if (other) await removeDockerStore(other)
      await engine?.stop()
      wrapper?.remove()
    }
  })

  it('after terminating every deployment, the store has no service and no Swarm secret left', async () => {
    for (const d of await t.json<DeploymentInfo[]>(['status'])) {
      if (d.state !== 'terminated') await t.ok(['terminate', d.id])
    }
    expect(await storeServices(store)).toEqual([])
    expect(await storeSwarmSecrets(store)).toEqual([])
  })
})
