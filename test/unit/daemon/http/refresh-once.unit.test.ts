// A route flagged `refresh` (api/routes/route.ts) reads deployment states exactly once per request:
// the server reconciles before the handler, and neither the handler nor the service does it again
// (`secrets show` once ran `docker ps` twice).
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {routes} from '../../../../src/api/contract.js'
import {AgentClient} from '../../../../src/client/client.js'
import {resolvePaths} from '../../../../src/config/paths.js'
import {loadSodium} from '../../../../src/crypto/sodium.js'
import type {Agent} from '../../../../src/daemon/agent.js'
import {DeploymentsService} from '../../../../src/daemon/deployments/service.js'
import type {Target} from '../../../../src/daemon/deployments/target.js'
import {handlers} from '../../../../src/daemon/http/handlers/index.js'
import {type ApiServer, createApiServer} from '../../../../src/daemon/http/server.js'
import {Store} from '../../../../src/daemon/store/secrets-table.js'
import {DataKey} from '../../../../src/daemon/vault/data-key.js'
import {memoryKey, quiet} from '../../../support/store.js'

const AT = '2026-11-30T00:00:00.000Z'

describe('routes that read deployment states', () => {
  let dir: string
  let store: Store
  let server: ApiServer
  let client: AgentClient
  /** State reads of the target (each one a `docker ps` on the real one). */
  let reads = 0

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-refresh-'))
    store = new Store(join(dir, 'store.db'))
    const dataKey = new DataKey(await loadSodium(), store, memoryKey)
    const target = {
      rolling: false,
      refresh: async () => {
        reads++
      },
      runsAs: (row) => row.containerId,
    } as Partial<Target> as Target
    const deployments = new DeploymentsService(store, dataKey, resolvePaths({HUSH_HOME: dir}), quiet, () => ({
      local: target,
      swarm: target,
    }))
    // One live deployment: a state read has something to reconcile.
    deployments.records.save({
      id: 'd-1',
      name: 'web',
      image: 'busybox',
      command: [],
      env: {},
      refs: [],
      files: [],
      options: {},
      context: null,
      target: 'local',
      serviceId: null,
      injected: [],
      containerId: 'c-1',
      state: 'running',
      exitCode: null,
      revision: 1,
      createdAt: AT,
      updatedAt: AT,
    })
    const secrets = {
      show: () => ({name: 'tok', app: null, version: 1, keys: ['TOKEN'], usedBy: ['d-1']}),
      list: () => [],
    }
    const agent = {dataKey: {sealed: false}, paths: {home: dir}, deployments, secrets} as unknown as Agent
    server = createApiServer(agent, handlers, quiet, {onActivity: () => undefined})
    const socket = join(dir, 'agent.sock')
    await new Promise<void>((resolve) => server.listen(socket, resolve))
    client = new AgentClient(socket)
  })

  afterAll(async () => {
    await client.close()
    await new Promise((resolve) => server.close(resolve))
    store.close()
    rmSync(dir, {recursive: true, force: true})
  })

  beforeEach(() => {
    reads = 0
  })

  it('secrets show reads the states once, and lists the deployment using the secret', async () => {
    const shown = await client.call(routes.showSecret, {name: 'tok'})
    expect(shown.deployments).toEqual([{id: 'd-1', name: 'web', version: null, stale: false}])
    expect(reads).toBe(1)
  })

  it('status and status ID read the states once each', async () => {
    expect((await client.call(routes.listDeployments, {})).map((deployment) => deployment.id)).toEqual(['d-1'])
    expect(reads).toBe(1)
    expect((await client.call(routes.getDeployment, {id: 'web'})).id).toBe('d-1')
    expect(reads).toBe(2)
  })

  it('secrets list reads them once; the audit route is not flagged', async () => {
    await client.call(routes.listSecrets, {})
    expect(reads).toBe(1)
    expect(routes.audit.refresh).toBeUndefined()
  })
})
