// The deployments service on its own, with a fake Swarm target (no docker): what it records before
// and after a launch, how usage, STALE and rollbacks read, and that a failed launch leaves nothing.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import type {SubmitInput} from '../../../../src/api/contract.js'
import {HushError} from '../../../../src/api/errors.js'
import {resolvePaths} from '../../../../src/config/paths.js'
import {loadSodium} from '../../../../src/crypto/sodium.js'
import type {ResolvedEnv} from '../../../../src/daemon/deployments/resolve-env.js'
import {DeploymentsService} from '../../../../src/daemon/deployments/service.js'
import {serviceDetail} from '../../../../src/daemon/deployments/swarm-target.js'
import type {Target, TargetDetail, Targets} from '../../../../src/daemon/deployments/target.js'
import {deploymentTargets} from '../../../../src/daemon/deployments/targets.js'
import type {ServiceView} from '../../../../src/daemon/docker/services.js'
import type {DeploymentRow, DeploymentsStore} from '../../../../src/daemon/store/deployments-table.js'
import {Store} from '../../../../src/daemon/store/secrets-table.js'
import {DataKey} from '../../../../src/daemon/vault/data-key.js'
import {memoryKey, quiet} from '../../../support/store.js'

const AT = '2026-11-30T00:00:00.000Z'

/** A Swarm target that records what it was asked, and fails when told to. */
class FakeSwarm implements Target {
  readonly rolling = true
  readonly calls: string[] = []
  /** What the record said when launch was called (the intent must be there first). */
  readonly seenAtLaunch: (DeploymentRow | undefined)[] = []
  /** Env keys and file keys each launch received (never values in this log). */
  readonly launched: {env: string[]; files: string[]}[] = []
  fail: HushError | undefined
  /** A launch that never returns (the agent dies during it). */
  hang = false
  /** What settledRevision says; by default the revision of the last launch's view. */
  settled: ((serviceId: string) => number | null | undefined) | undefined
  /** How many times unused Swarm secrets were collected. */
  collected = 0
  private readonly views = new Map<string, ServiceView>()

  constructor(private readonly records: DeploymentsStore) {}

  detail(row: DeploymentRow): TargetDetail {
    return serviceDetail(row, this.views.get(row.id))
  }
  runsAs(row: DeploymentRow) {
    return row.serviceId
  }
  async check() {
    this.calls.push('check')
  }
  async launch(row: DeploymentRow, resolved: ResolvedEnv, previous?: DeploymentRow) {
    this.calls.push(previous ? `update r${row.revision}` : 'create')
    this.seenAtLaunch.push(this.records.get(row.id))
    this.launched.push({
      env: resolved.entries.map((entry) => entry.key),
      files: resolved.files.map((file) => `${file.secret}/${file.key}`),
    })
    if (this.fail) throw this.fail
    if (this.hang) return new Promise<never>(() => undefined)
    const serviceId = previous?.serviceId ?? `svc-${row.id}`
    this.views.set(row.id, {
      serviceId,
      revision: row.revision,
      desired: 2,
      tasks: [
        {id: 't1', node: 'n1', state: 'running', revision: row.revision, error: null},
        {id: 't2', node: 'n2', state: 'running', revision: row.revision, error: null},
      ],
      update: {state: previous ? 'completed' : null, message: null},
      updateStartedAt: previous ? AT : null,
    })
    return {serviceId}
  }
  async undo(row: DeploymentRow) {
    this.calls.push(`undo ${row.id}`)
  }
  async terminate(row: DeploymentRow) {
    this.calls.push(`terminate ${row.id}`)
  }
  async refresh() {}
  async settledRevision(row: DeploymentRow) {
    const serviceId = row.serviceId ?? ''
    if (this.settled) return this.settled(serviceId)
    return [...this.views.values()].find((view) => view.serviceId === serviceId)?.revision ?? null
  }
  async collect() {
    this.collected++
  }
  async replaced() {}
  logSource(): never {
    throw new Error('no logs in this test')
  }
}

describe('DeploymentsService with a Swarm target', () => {
  let dir: string
  let store: Store
  let dataKey: DataKey
  let swarm: FakeSwarm
  let deployments: DeploymentsService

  /** A secret written straight into the store (the secrets service is not this test's point). */
  async function putSecret(name: string, values: Record<string, string>): Promise<void> {
    await dataKey.unlock()
    await store.commit(() => {
      const existing = store.findLive(name, null)
      const keys = Object.keys(values).sort()
      const row = existing
        ? {...existing, version: existing.version + 1, keys, updatedAt: AT}
        : store.insertSecret(name, null, '', keys, AT)
      if (existing) store.updateSecret(row)
      store.replaceCiphertexts(
        row.id,
        keys.map((key) => dataKey.encrypt(row, key, Buffer.from(values[key]))),
      )
    })
  }

  /** The agent's targets, the fake one in place of Swarm. */
  const withSwarm = (records: DeploymentsStore, fake: FakeSwarm): Targets => ({
    ...deploymentTargets(() => store.labelId, records, resolvePaths({HUSH_HOME: dir}), quiet),
    swarm: fake,
  })

  const submit = (input: Partial<SubmitInput>) =>
    deployments.submit({image: 'busybox', target: 'swarm', warn: false, ...input})

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-deployments-'))
    store = new Store(join(dir, 'store.db'))
    dataKey = new DataKey(await loadSodium(), store, memoryKey)
    deployments = new DeploymentsService(store, dataKey, resolvePaths({HUSH_HOME: dir}), quiet, (records) => {
      swarm = new FakeSwarm(records)
      return withSwarm(records, swarm)
    })
    await putSecret('tok', {TOKEN: 'token-value-1'})
    await putSecret('cert', {CERT: 'cert-value-1'})
  })
  afterEach(() => {
    store.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('records the intent with the versions before launching, then the service; status shows it', async () => {
    const out = await submit({secrets: ['tok'], secretFiles: ['cert'], options: {replicas: 2}})
    expect(out.serviceId).toBe(`svc-${out.id}`)
    expect(swarm.calls).toEqual(['check', 'create'])
    const intent = swarm.seenAtLaunch[0]
    expect(intent?.state).toBe('starting')
    expect(intent?.serviceId).toBeNull()
    expect(intent?.injected.map((item) => `${item.name}@${item.version}`)).toEqual(['tok@1', 'cert@1'])
    expect(swarm.launched[0]).toEqual({env: ['TOKEN'], files: ['cert/CERT']})

    const detail = await deployments.get(out.id)
    expect(detail).toMatchObject({
      target: 'swarm',
      serviceId: `svc-${out.id}`,
      containerId: null,
      replicas: {running: 2, desired: 2},
      stale: false,
    })
    expect(detail.tasks?.map((task) => `${task.node}:${task.revision}`)).toEqual(['n1:1', 'n2:1'])
    expect(JSON.stringify(detail)).not.toContain('value-1')
  })

  it('counts a service as a user of its secrets, and marks it STALE after a rotation', async () => {
    const {id} = await submit({secretFiles: ['cert']})
    expect(deployments.liveUsers('cert', null)).toEqual([id])
    await putSecret('cert', {CERT: 'cert-value-2'})
    expect((await deployments.get(id)).stale).toBe(true)
    expect(deployments.staleUsers('cert', null, 2)).toEqual([id])
  })

  it('an app-scoped secret makes STALE the deployments of that app that run the shared one, no other', async () => {
    const {id} = await submit({name: 'web', secrets: ['tok']})
    const other = await submit({name: 'api', secrets: ['tok']})
    await store.commit(() => {
      const row = store.insertSecret('tok', 'web', '', ['TOKEN'], AT)
      store.replaceCiphertexts(row.id, [dataKey.encrypt(row, 'TOKEN', Buffer.from('token-web-1'))])
    })
    expect(deployments.staleUsers('tok', 'web', 1)).toEqual([id])
    expect(deployments.staleUsers('tok', null, 1)).toEqual([])
    expect(deployments.staleUsers('tok', null, 2)).toEqual([id, other.id])
  })

  it('a resubmit rolls the service to the new versions; a rollback keeps the previous record, still STALE', async () => {
    const {id} = await submit({secretFiles: ['cert']})
    await putSecret('cert', {CERT: 'cert-value-2'})
    swarm.fail = new HushError('rolled_back', `The rolling update of ${id} failed and was rolled back.`)
    await expect(deployments.resubmit(id)).rejects.toMatchObject({code: 'rolled_back'})
    const after = await deployments.get(id)
    expect(after).toMatchObject({revision: 1, stale: true, serviceId: `svc-${id}`})
    expect(after.secrets).toEqual([
      {name: 'cert', keys: ['/run/secrets/CERT'], env: [], files: ['/run/secrets/CERT'], version: 1},
    ])

    swarm.fail = undefined
    const rolled = await deployments.resubmit(id)
    expect(rolled.revision).toBe(2)
    expect(rolled.tasks?.every((task) => task.revision === 2)).toBe(true)
    expect(swarm.calls.filter((call) => call.startsWith('update'))).toEqual(['update r2', 'update r2'])
    const done = await deployments.get(id)
    expect(done).toMatchObject({revision: 2, stale: false, state: 'running'})
  })

  it('a resubmit cut short while the service still rolls is settled by the agent itself once it settles', async () => {
    const {id} = await submit({secretFiles: ['cert']})
    await putSecret('cert', {CERT: 'cert-value-2'})
    swarm.hang = true
    void deployments.resubmit(id)
    await vi.waitFor(() => expect(swarm.calls).toContain('update r2'))
    // The agent died there; the next one finds the service still rolling (docker cannot say yet).
    let settled: number | undefined
    const restarted = new DeploymentsService(store, dataKey, resolvePaths({HUSH_HOME: dir}), quiet, (records) => {
      swarm = new FakeSwarm(records)
      swarm.settled = () => settled
      return withSwarm(records, swarm)
    })
    try {
      await restarted.refresh()
      expect(restarted.get(id).revision).toBe(2)
      const collectedBefore = swarm.collected
      // The update never reached the service: revision 1 runs. No command reads the state again,
      // yet the record goes back to revision 1 (STALE) and the unused Swarm secrets are collected.
      settled = 1
      await vi.waitFor(() => expect(restarted.records.get(id)?.revision).toBe(1), {timeout: 5000})
      await vi.waitFor(() => expect(swarm.collected).toBeGreaterThan(collectedBefore), {timeout: 5000})
      expect(restarted.records.previous(id)).toBeUndefined()
      expect((await restarted.get(id)).stale).toBe(true)
    } finally {
      restarted.close()
    }
  })

  it('a launch that fails leaves no record, and the target is asked to undo it', async () => {
    swarm.fail = new HushError('launch_failed', 'docker service create failed: no')
    await expect(submit({name: 'web', secretFiles: ['cert']})).rejects.toMatchObject({code: 'launch_failed'})
    expect(deployments.records.list()).toEqual([])
    expect(swarm.calls.at(-1)).toMatch(/^undo d-/)
    // The name is free again.
    swarm.fail = undefined
    await expect(submit({name: 'web'})).resolves.toMatchObject({state: 'starting'})
  })

  it('refuses local-only options and unknown secrets before the target is asked anything', async () => {
    await expect(submit({options: {gpus: 'all'}})).rejects.toMatchObject({code: 'bad_request'})
    await expect(submit({secrets: ['nope']})).rejects.toMatchObject({code: 'unknown_secret'})
    expect(swarm.calls).toEqual([])
  })

  it('terminate asks the target to remove the service; the secret is free to delete', async () => {
    const {id} = await submit({secrets: ['tok']})
    const done = await deployments.terminate(id)
    expect(done.state).toBe('terminated')
    expect(swarm.calls).toContain(`terminate ${id}`)
    expect(deployments.liveUsers('tok', null)).toEqual([])
  })
})
