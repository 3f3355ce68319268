// App-scoped secrets (`secrets new NAME --app APP`): a deployment named APP sees its own NAME before
// the shared one, others only the shared one; list shows the scope; rotate and delete address one
// scope with --app; a store made before the app column is migrated in place. Real docker, real keyring.
import {randomBytes} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import type {
  AuditEvent,
  DeploymentInfo,
  RotateSecretOutput,
  SecretInfo,
  SubmitOutput,
} from '../../../src/api/contract.js'
import {openDatabase} from '../../../src/daemon/process/sqlite.js'
import {errorLine} from '../../support/agent-tools.js'
import {dockerTestFile, inspectEnv, SLEEPER, submitJson} from '../../support/docker.js'

const {docker, t} = await dockerTestFile('test/e2e/secrets/app-scope.e2e.test.ts')

async function ok(args: string[]): Promise<string> {
  const result = await t.hush(args)
  expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0)
  return result.stdout
}

const IMAGE = 'hush-test/busybox'

describe.skipIf(!docker)('app scope with containers', () => {
  it('gives a deployment named APP its scoped secret and every other deployment the shared one', async () => {
    const app = `api-${randomBytes(3).toString('hex')}`
    const other = `web-${randomBytes(3).toString('hex')}`
    await ok(['secrets', 'new', 'db', 'URL=postgres://shared', 'COMMON=only-in-shared'])
    expect(await ok(['secrets', 'new', 'db', '--app', app, 'URL=postgres://scoped'])).toContain(
      `Created secret db for app ${app}: version 1`,
    )
    await ok(['secrets', 'new', 'solo', '--app', app, 'SOLO=scoped-only'])

    const scoped = await submitJson<SubmitOutput>(t, [IMAGE, '--name', app, '--secret', 'db', ...SLEEPER])
    const plain = await submitJson<SubmitOutput>(t, [IMAGE, '--secret', 'db', ...SLEEPER])
    const named = await submitJson<SubmitOutput>(t, [IMAGE, '--name', other, '--secret', 'db', ...SLEEPER])

    // The scoped bundle wins whole for its app: no key of the shared one leaks in.
    const scopedEnv = await inspectEnv(scoped.containerId)
    expect(scopedEnv.URL).toBe('postgres://scoped')
    expect(scopedEnv.COMMON).toBeUndefined()
    expect((await inspectEnv(plain.containerId)).URL).toBe('postgres://shared')
    expect((await inspectEnv(named.containerId)).URL).toBe('postgres://shared')

    const status = await t.json<DeploymentInfo>(['status', scoped.id])
    expect(status.secrets).toEqual([{name: 'db', app, keys: ['URL'], env: ['URL'], files: [], version: 1}])
    expect((await t.json<DeploymentInfo>(['status', plain.id])).secrets[0]).toEqual({
      name: 'db',
      keys: ['COMMON', 'URL'],
      env: ['COMMON', 'URL'],
      files: [],
      version: 1,
    })
    expect(await ok(['status', scoped.id])).toContain(`db  app ${app}  version 1  keys URL`)

    // A secret scoped to APP does not exist for anyone else.
    const missing = await t.hush(['submit', IMAGE, '--secret', 'solo', '--', 'true'])
    expect(missing.exitCode).toBe(1)
    expect(errorLine(missing.stderr)).toContain('no secret named solo')

    const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed.map((s) => [s.name, s.app])).toEqual([
      ['db', null],
      ['db', app],
      ['solo', app],
    ])
    expect(listed[0].usedBy.sort()).toEqual([plain.id, named.id].sort())
    expect(listed[1].usedBy).toEqual([scoped.id])
    const table = await ok(['secrets', 'list'])
    expect(table.split('\n')[0]).toMatch(/^NAME\s+SCOPE\s+KEYS/)
    expect(table).toMatch(/^db\s+shared\s+COMMON,URL\s/m)
    expect(table).toMatch(new RegExp(`^db\\s+app ${app}\\s+URL\\s`, 'm'))
    expect((await t.json<SecretInfo[]>(['secrets', 'list', '--app', app])).map((s) => s.name)).toEqual(['db', 'solo'])
    expect((await t.json<SecretInfo[]>(['secrets', 'list', '--shared'])).map((s) => s.app)).toEqual([null])

    // Rotating the scoped one makes only its app's deployment stale, and --resubmit brings it the new value.
    const rotated = await t.json<RotateSecretOutput>([
      'secrets',
      'rotate',
      'db',
      '--app',
      app,
      'URL=postgres://scoped-2',
    ])
    expect(rotated.secret).toMatchObject({name: 'db', app, version: 2})
    expect(rotated.staleDeployments).toEqual([scoped.id])
    const stale = await t.json<DeploymentInfo[]>(['status'])
    expect(stale.filter((d) => d.stale).map((d) => d.id)).toEqual([scoped.id])
    const again = await t.hush(['secrets', 'rotate', 'db', '--app', app, 'URL=postgres://scoped-3', '--resubmit'])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toContain(`Resubmitted ${scoped.id}`)
    const after = await t.json<DeploymentInfo>(['status', scoped.id])
    expect(after.secrets).toEqual([{name: 'db', app, keys: ['URL'], env: ['URL'], files: [], version: 3}])
    expect((await inspectEnv(after.containerId!)).URL).toBe('postgres://scoped-3')
    expect((await inspectEnv(plain.containerId)).URL).toBe('postgres://shared')

    // delete addresses one scope: each refusal names only the deployments of that scope.
    const sharedBusy = await t.hush(['secrets', 'delete', 'db'])
    expect(sharedBusy.exitCode).toBe(1)
    expect(sharedBusy.stderr).toContain(plain.id)
    expect(sharedBusy.stderr).toContain(named.id)
    expect(sharedBusy.stderr).not.toContain(scoped.id)
    const scopedBusy = await t.hush(['secrets', 'delete', 'db', '--app', app])
    expect(scopedBusy.exitCode).toBe(1)
    expect(scopedBusy.stderr).toContain(scoped.id)
    expect(scopedBusy.stderr).not.toContain(plain.id)

    await ok(['terminate', scoped.id])
    expect(await ok(['secrets', 'delete', 'db', '--app', app])).toContain(`Deleted secret db for app ${app}`)
    // With the scoped one gone, the app's next resubmit falls back to the shared secret.
    expect(await ok(['resubmit', scoped.id])).toBeTruthy()
    const fallback = await t.json<DeploymentInfo>(['status', scoped.id])
    expect(fallback.secrets[0]).toEqual({
      name: 'db',
      keys: ['COMMON', 'URL'],
      env: ['COMMON', 'URL'],
      files: [],
      version: 1,
    })
    expect((await inspectEnv(fallback.containerId!)).URL).toBe('postgres://shared')

    // A new scoped db makes the app's deployment stale: it runs the shared one, which no longer wins for it.
    const recreated = await t.json<{staleDeployments: string[]}>(['secrets', 'new', 'db', '--app', app, 'URL=again'])
    expect(recreated.staleDeployments).toEqual([scoped.id])
    expect((await t.json<DeploymentInfo>(['status', scoped.id])).stale).toBe(true)
    expect((await t.json<DeploymentInfo>(['status', plain.id])).stale).toBe(false)

    const audit = await t.json<AuditEvent[]>(['audit'])
    expect(audit.filter((e) => e.event === 'secret.rotated').map((e) => e.app)).toEqual([app, app])
    expect(audit.find((e) => e.event === 'secret.deleted')).toMatchObject({secret: 'db', app})
    expect(audit.find((e) => e.event === 'secret.created' && e.secret === 'db' && e.app === undefined)).toBeTruthy()
  }, 180_000)
})

describe('app scope without containers', () => {
  it('addresses the shared secret without --app and says which --app exists', async () => {
    await ok(['secrets', 'new', 'only', '--app', 'api', 'K=v1'])
    for (const verb of [
      ['secrets', 'delete', 'only'],
      ['secrets', 'rotate', 'only', 'K=v2'],
    ]) {
      const result = await t.hush(verb)
      expect(result.exitCode).toBe(1)
      expect(errorLine(result.stderr)).toBe('hush: No shared secret named only: there is only for --app api.')
    }
    const wrong = await t.hush(['secrets', 'rotate', 'only', '--app', 'web', 'K=v2'])
    expect(errorLine(wrong.stderr)).toBe('hush: No secret named only (app web): there is only for --app api.')
    for (const name of ['-bad', '']) {
      const bad = await t.hush(['secrets', 'new', 'x', '--app', name, 'K=v'])
      expect(bad.exitCode).toBe(2)
      expect(errorLine(bad.stderr)).toContain('Invalid app name')
    }
    expect(await ok(['secrets', 'rotate', 'only', '--app', 'api', 'K=v2'])).toContain('Rotated secret only for app api')
    expect(await ok(['audit'])).toMatch(/secret\.rotated\s+only \(app api\)\s+K\s+2/)
    // Same name, new scope: a second live secret, not a replacement.
    expect(await ok(['secrets', 'new', 'only', 'K=shared'])).toContain('Created secret only: version 1')
  })

  it('migrates a store made before the app column, and a scoped and a shared ciphertext cannot be swapped', async () => {
    await ok(['secrets', 'new', 'db', 'K=old-value', 'L=kept'])
    await ok(['daemon', 'stop'])
    // Put the store back to the schema of the first release: no app columns, live names unique alone,
    // and no schema version (that release kept none).
    const file = `${t.home}/store.db`
    let db = openDatabase(file)
    db.exec(`
      PRAGMA user_version = 0;
      DROP INDEX secrets_live_name_app;
      CREATE TABLE secrets_v1 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
        version INTEGER NOT NULL, keys TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT);
      INSERT INTO secrets_v1 SELECT id, name, description, version, keys, created_at, updated_at, deleted_at FROM secrets;
      PRAGMA foreign_keys = OFF;
      DROP TABLE secrets;
      ALTER TABLE secrets_v1 RENAME TO secrets;
      CREATE UNIQUE INDEX secrets_live_name ON secrets(name) WHERE deleted_at IS NULL;
      ALTER TABLE audit DROP COLUMN app;
    `)
    const columns = () => (db.prepare('PRAGMA table_info(secrets)').all() as Array<{name: string}>).map((c) => c.name)
    expect(columns()).not.toContain('app')
    db.close()

    const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed).toMatchObject([{name: 'db', app: null, keys: ['K', 'L'], version: 1}])
    // The old value still decrypts (rotate merges the kept key), and the name is free per scope now.
    await ok(['secrets', 'rotate', 'db', 'K=new-value'])
    await ok(['secrets', 'new', 'db', '--app', 'api', 'K=scoped', 'L=scoped-l'])
    expect((await t.json<SecretInfo[]>(['secrets', 'list'])).map((s) => [s.name, s.app, s.version])).toEqual([
      ['db', null, 2],
      ['db', 'api', 1],
    ])
    await ok(['daemon', 'stop'])

    db = openDatabase(file)
    expect(columns()).toContain('app')
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{name: string}>)
      .map((row) => row.name)
      .filter((name) => name.startsWith('secrets_live'))
    expect(indexes).toEqual(['secrets_live_name_app'])
    // Swap the K ciphertexts of the shared and the scoped db: the AEAD binds each to its secret id.
    const ids = db.prepare("SELECT id, app FROM secrets WHERE name = 'db' ORDER BY id").all() as Array<{id: number}>
    const value = (id: number) =>
      db.prepare("SELECT nonce, ciphertext FROM secret_values WHERE secret_id = ? AND key = 'K'").get(id) as {
        nonce: Uint8Array
        ciphertext: Uint8Array
      }
    const [a, b] = [value(ids[0].id), value(ids[1].id)]
    const put = db.prepare("UPDATE secret_values SET nonce = ?, ciphertext = ? WHERE secret_id = ? AND key = 'K'")
    put.run(b.nonce, b.ciphertext, ids[0].id)
    put.run(a.nonce, a.ciphertext, ids[1].id)
    db.close()
    for (const args of [
      ['secrets', 'rotate', 'db', 'L=x'],
      ['secrets', 'rotate', 'db', '--app', 'api', 'L=x'],
    ]) {
      const result = await t.hush(args)
      expect(result.exitCode).toBe(1)
      expect(errorLine(result.stderr)).toContain('Secret db is corrupt in the store (key K fails authentication)')
    }
  })
})
