// The SDK as a user consumes it: a separate program in its own directory imports `hush` by name
// (node_modules/hush -> this package), is type-checked and compiled by tsc against the published
// .d.ts, then run by node against the real agent (auto-started), keyring and docker engine.
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {DeploymentInfo, SecretInfo} from '../../../src/api/contract.js'
import {dockerAvailable, removeEnvFileDir, removeStoreContainers, storeId, TEST_IMAGE} from '../../support/docker.js'
import {makeHome, ROOT, type TestHome} from '../../support/helpers.js'

const docker = await dockerAvailable(import.meta.url)

const CONSUMER = `
import {HushClient, HushError, type SecretInfo} from 'hush'

const image = process.argv[2]
const home = process.env.SDK_HOME
if (!home) throw new Error('SDK_HOME is not set')
const hush = new HushClient({home})
const out: Record<string, unknown> = {}

const hello = await hush.hello()
out.home = hello.home
const created = await hush.createSecret('sdk-db', {URL: 'postgres://sdk:hunter2-sdk@db/app'}, {description: 'from the SDK'})
out.created = {version: created.secret.version, keys: created.secret.keys, replaced: created.replaced}
await hush.createSecret('sdk-db', {URL: 'postgres://sdk:scoped-sdk@db/app'}, {app: 'sdk-app'})
const listed: SecretInfo[] = await hush.listSecrets()
out.listed = listed.map((secret) => ({name: secret.name, app: secret.app, description: secret.description}))
try {
  await hush.deleteSecret('no-such-secret')
} catch (error) {
  out.deleteError = error instanceof HushError ? error.code : String(error)
}
try {
  await hush.createSecret('bad', {'1BAD': 'x'})
} catch (error) {
  out.badKey = error instanceof HushError ? error.code : String(error)
}

const submitted = await hush.submit({
  image,
  name: process.env.SDK_APP,
  secrets: ['sdk-db'],
  env: ['PLAIN=visible'],
  command: ['sh', '-c', 'echo "url=$URL plain=$PLAIN"; sleep 300'],
})
out.submitted = {state: submitted.state, hasContainer: submitted.containerId.length > 0}
let text = ''
for (let tries = 0; tries < 200 && !text.includes('url='); tries++) {
  text = ''
  for await (const chunk of hush.logs(submitted.id)) if (chunk.stream === 'stdout') text += chunk.data.toString()
  if (!text.includes('url=')) await new Promise((resolve) => setTimeout(resolve, 100))
}
out.logs = text
const detail = await hush.status(submitted.id)
out.status = {state: detail.state, secrets: detail.secrets, env: detail.env}
out.listedDeployments = (await hush.status()).map((deployment) => deployment.id)
const stopped = await hush.terminate(submitted.id, {grace: 1})
out.terminated = stopped.state
out.id = submitted.id
out.audit = (await hush.audit()).map((event) => event.event)
await hush.close()
console.log(JSON.stringify(out))
`

let t: TestHome
let dir: string
beforeEach(() => {
  t = makeHome()
  dir = mkdtempSync(join(tmpdir(), 'hush-sdk-consumer-'))
})
afterEach(async () => {
  await removeStoreContainers(await storeId(t))
  removeEnvFileDir(t.env)
  await t.cleanup()
  rmSync(dir, {recursive: true, force: true})
})

describe.skipIf(!docker)('the SDK from a separate program', () => {
  it('imports HushClient from hush, type-checks, and manages secrets and a container', async () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({name: 'consumer', private: true, type: 'module'}))
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
          outDir: '.',
        },
        files: ['consumer.ts'],
      }),
    )
    writeFileSync(join(dir, 'consumer.ts'), CONSUMER)
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(ROOT, join(dir, 'node_modules', 'hush'), 'dir')
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir')

    const tsc = await execa(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      reject: false,
      stdin: 'ignore',
    })
    expect(tsc.exitCode, tsc.stdout + tsc.stderr).toBe(0)

    // No HUSH_HOME: the program picks the store with the `home` option, and the agent it starts must use it.
    const run = await execa(process.execPath, [join(dir, 'consumer.js'), TEST_IMAGE], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      env: {HUSH_HOME: '', SDK_HOME: t.home, SDK_APP: 'sdk-app', HUSH_IDLE_TIMEOUT: '120'},
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const out = JSON.parse(run.stdout) as {
      home: string
      created: {version: number; keys: string[]; replaced: boolean}
      listed: Array<{name: string; app: string | null; description: string}>
      deleteError: string
      badKey: string
      submitted: {state: string; hasContainer: boolean}
      logs: string
      status: Pick<DeploymentInfo, 'state' | 'secrets' | 'env'>
      listedDeployments: string[]
      terminated: string
      id: string
      audit: string[]
    }
    expect(out.home).toBe(t.home)
    expect(out.created).toEqual({version: 1, keys: ['URL'], replaced: false})
    expect(out.listed).toEqual([
      {name: 'sdk-db', app: null, description: 'from the SDK'},
      {name: 'sdk-db', app: 'sdk-app', description: ''},
    ])
    expect(out.deleteError).toBe('secret_not_found')
    expect(out.badKey).toBe('invalid_key')
    expect(out.submitted).toEqual({state: 'running', hasContainer: true})
    // The deployment is named sdk-app: its scoped secret wins, and logs come back redacted.
    expect(out.logs.trim()).toBe('url=*** plain=visible')
    expect(out.status).toEqual({
      state: 'running',
      secrets: [{name: 'sdk-db', app: 'sdk-app', keys: ['URL'], env: ['URL'], files: [], version: 1}],
      env: {PLAIN: 'visible'},
    })
    expect(out.listedDeployments).toEqual([out.id])
    expect(out.terminated).toBe('terminated')
    expect(out.audit).toEqual(
      expect.arrayContaining(['secret.created', 'deployment.submitted', 'deployment.terminated']),
    )
    expect(run.stdout + run.stderr).not.toContain('hunter2')
    expect(run.stdout + run.stderr).not.toContain('scoped-sdk')

    // The CLI sees what the program did, in the same store.
    const secrets = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(secrets.map((secret) => [secret.name, secret.app])).toEqual([
      ['sdk-db', null],
      ['sdk-db', 'sdk-app'],
    ])
    expect((await t.json<DeploymentInfo>(['status', out.id])).state).toBe('terminated')
  })
})
