// Secret files for images that run as their own non-root user: a real PostgreSQL server (built
// from Debian's postgresql-15 by scripts/test-pg-image.sh) runs as uid 999, initdb reads its
// password from the file hush mounts, and psql on the host logs in with that password. Then the
// same through the KEY_FILE env convention, under another target directory.
import {randomBytes} from 'node:crypto'
import {existsSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
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
import {makeHome, type TestHome, waitFor} from '../../support/helpers.js'

const docker = await dockerAvailable(import.meta.url)
// Each case launches real containers on a shared, busy machine: minutes, not the default minute.
vi.setConfig({testTimeout: 300_000})

let t: TestHome
let image = ''

beforeAll(async () => {
  if (!docker) return
  await ensureTestImage()
  const script = fileURLToPath(new URL('../../../scripts/test-pg-image.sh', import.meta.url))
  image = (await execa('bash', [script], {stdin: 'ignore'})).stdout.trim()
  t = makeHome()
}, 300_000)
afterAll(async () => {
  if (t) await removeDockerStore(t)
})

/** initdb as the container's user with the password file, then the server on all addresses. */
function serverScript(pwfile: string): string[] {
  return [
    '--',
    'sh',
    '-c',
    `initdb -D /tmp/data -U postgres --auth=scram-sha-256 --pwfile=${pwfile} --no-locale -E UTF8 >/tmp/initdb.log 2>&1 || { cat /tmp/initdb.log; exit 1; }
echo "host all all all scram-sha-256" >> /tmp/data/pg_hba.conf
exec postgres -D /tmp/data -h 0.0.0.0 -k /tmp`,
  ]
}

async function hostPort(containerId: string): Promise<string> {
  const {stdout} = await execa('docker', ['port', containerId, '5432/tcp'], {stdin: 'ignore'})
  return stdout.trim().split('\n')[0].split(':').pop() ?? ''
}

/** `psql` from the host with a password: what it printed, or its error. */
async function psql(port: string, password: string): Promise<{ok: boolean; out: string}> {
  const result = await execa(
    'psql',
    [`host=127.0.0.1 port=${port} user=postgres dbname=postgres connect_timeout=5`, '-tAc', 'select current_user'],
    {env: {PGPASSWORD: password}, reject: false, stdin: 'ignore'},
  )
  return {ok: result.exitCode === 0, out: `${result.stdout}${result.stderr}`.trim()}
}

async function loginWorks(d: SubmitOutput, password: string): Promise<void> {
  const port = await hostPort(d.containerId)
  let last = {ok: false, out: ''}
  try {
    await waitFor(async () => {
      last = await psql(port, password)
      return last.ok || /password authentication failed/.test(last.out)
    }, 90_000)
  } catch {
    const {stdout, stderr} = await execa('docker', ['logs', d.containerId], {reject: false, stdin: 'ignore'})
    throw new Error(`postgres never answered: ${last.out}\n${stdout}${stderr}`)
  }
  expect(last).toEqual({ok: true, out: 'postgres'})
  expect((await psql(port, `${password}-wrong`)).out).toMatch(/password authentication failed/)
}

function revisionDir(id: string): string {
  return join(envFileDir(resolvePaths({...process.env, ...t.env})), 'files', `${id}-r1`)
}

/**
 * A new secret holding a fresh password under `key`, and a PostgreSQL server launched with `--user
 * user --secret-file secretFile` whose initdb reads the password from `pwfile` (a shell word).
 */
async function passwordServer(options: {
  secret: string
  key: string
  user: string
  secretFile: string
  pwfile: string
}): Promise<{d: SubmitOutput; password: string}> {
  const password = `pg-${randomBytes(9).toString('base64url')}`
  await t.ok(['secrets', 'new', options.secret, '--from-stdin', options.key], {input: password})
  const d = await submitJson<SubmitOutput>(t, [
    image,
    ...['--user', options.user, '--secret-file', options.secretFile, '--publish', '127.0.0.1::5432'],
    ...serverScript(options.pwfile),
  ])
  return {d, password}
}

describe.skipIf(!docker)('secret files for a non-root image (PostgreSQL as uid 999)', () => {
  it('initdb --pwfile reads the file given to uid 999, and psql logs in with that password', async () => {
    const {d, password} = await passwordServer({
      secret: 'db',
      key: 'PGPASSWORD',
      user: '999',
      secretFile: 'db,uid=999,gid=999,mode=0400',
      pwfile: '/run/secrets/PGPASSWORD',
    })
    // On the host: the file is uid 999's, 0400, inside the 0700 directory of the user running hush.
    const file = join(revisionDir(d.id), 'PGPASSWORD')
    const asRoot = process.getuid?.() === 0
    expect(statSync(file).mode & 0o777).toBe(asRoot ? 0o400 : 0o444)
    if (asRoot) expect([statSync(file).uid, statSync(file).gid]).toEqual([999, 999])
    expect(statSync(revisionDir(d.id)).mode & 0o777).toBe(0o700)
    await loginWorks(d, password)

    const status = await t.ok(['status', d.id])
    expect(status.stdout).toContain('--secret-file: db,uid=999,gid=999,mode=0400')
    expect(status.stdout).toContain('/run/secrets/PGPASSWORD')
    expect(status.stdout).not.toContain(password)
    await t.ok(['terminate', d.id, '--grace', '1'])
    expect(existsSync(revisionDir(d.id))).toBe(false)
  })

  it('KEY_FILE convention: POSTGRES_PASSWORD_FILE points at the file, under target=, owner from --user', async () => {
    const {d, password} = await passwordServer({
      secret: 'pg',
      key: 'POSTGRES_PASSWORD',
      user: '999:999',
      secretFile: 'pg,target=/run/secrets/pg,env',
      pwfile: '"$POSTGRES_PASSWORD_FILE"',
    })
    const {stdout} = await execa('docker', ['inspect', '--format', '{{json .Config.Env}}', d.containerId])
    expect(JSON.parse(stdout)).toContain('POSTGRES_PASSWORD_FILE=/run/secrets/pg/POSTGRES_PASSWORD')
    expect(stdout).not.toContain(password)
    await loginWorks(d, password)
    const info = await t.json<DeploymentInfo>(['status', d.id])
    expect(info.secrets).toEqual([
      {
        name: 'pg',
        keys: ['/run/secrets/pg/POSTGRES_PASSWORD'],
        env: [],
        files: ['/run/secrets/pg/POSTGRES_PASSWORD'],
        version: 1,
      },
    ])
    await t.ok(['terminate', d.id, '--grace', '1'])
  })

  it('refuses a malformed --secret-file in one line, exit 2, launching nothing', async () => {
    const before = await storeContainers(t)
    for (const [spec, message] of [
      ['db,mode=999', /mode= is an octal file mode/],
      ['db,uid=-1', /uid= is a numeric id/],
      ['db,gid=x', /gid= is a numeric id/],
      ['db,target=relative', /target= is an absolute container directory/],
      ['db,target=/run/secrets/../etc', /target= is an absolute container directory/],
      ['db,owner=me', /owner is not uid=, gid=, mode=, target= or env/],
      ['db,uid=1,uid=2', /uid is given twice/],
    ] as const) {
      const result = await t.hush(['submit', TEST_IMAGE, '--secret-file', spec, '--', 'true'])
      expect(result.exitCode, spec).toBe(2)
      expect(result.stderr.trim().split('\n'), spec).toHaveLength(1)
      expect(result.stderr, spec).toMatch(message)
    }
    expect(await storeContainers(t)).toEqual(before)
  })
})
