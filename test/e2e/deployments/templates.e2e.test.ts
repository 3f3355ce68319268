import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {
  containerOutput,
  dockerTestFile,
  inspectEnv,
  SLEEPER,
  storeContainers,
  submitJson,
  TEST_IMAGE,
} from '../../support/docker.js'
import {sha256} from '../../support/helpers.js'

const {docker, t} = await dockerTestFile(import.meta.url)

describe.skipIf(!docker)('--env templates', () => {
  it('renders {{NAME:KEY}} in the container, shows only the template in status and redacts logs', async () => {
    const password = 'p@ss w0rd:Zq81!'
    // DATABASE_URL is also a key of the secret: the template --env wins over it.
    await t.ok(['secrets', 'new', 'db', `PASSWORD=${password}`, 'USER=app', 'DATABASE_URL=secret-key-loses'])
    const template = 'postgres://{{db:USER}}:{{ db : PASSWORD }}@db/app?x={{{{literal}}'
    const expected = `postgres://app:${password}@db/app?x={{literal}}`
    const d = await submitJson<SubmitOutput>(t, [
      TEST_IMAGE,
      '--env',
      `DATABASE_URL=${template}`,
      '--env',
      'PASSWORD=plain-env-wins',
      '--secret',
      'db',
      '--wait',
      '--',
      'sh',
      '-c',
      'printf %s "$DATABASE_URL" | sha256sum; echo "url=$DATABASE_URL"; echo "pw=$PASSWORD"',
    ])
    expect(d.state).toBe('exited')
    // Only the plain sensitive key warns; the template (the recommended way) does not.
    expect(d.warnings).toHaveLength(1)
    expect(d.warnings[0]).toContain('--env PASSWORD looks like a secret')
    const output = await containerOutput(d.containerId)
    expect(output).toContain(sha256(expected))
    expect(output).toContain(`url=${expected}`)
    // A plain --env wins over the secret key of the same name.
    expect(output).toContain('pw=plain-env-wins')
    expect(output).not.toContain('secret-key-loses')

    // status shows the template text, never the value (docker inspect does: the threat model).
    const status = await t.hush(['status', d.id, '--json'])
    const info = JSON.parse(status.stdout) as DeploymentInfo
    expect(info.env.DATABASE_URL).toBe(template)
    expect(status.stdout).not.toContain(password)
    expect(info.secrets).toEqual([
      {name: 'db', keys: ['DATABASE_URL', 'USER'], env: ['DATABASE_URL', 'USER'], files: [], version: 1},
    ])
    expect((await t.ok(['status', d.id])).stdout).not.toContain(password)
    expect((await inspectEnv(d.containerId)).DATABASE_URL).toBe(expected)

    // hush logs hides the rendered value and the secret part.
    const logs = await t.ok(['logs', d.id])
    expect(logs.stdout).not.toContain(password)
    expect(logs.stdout).not.toContain(expected)
    expect(logs.stdout).toContain('url=***')
    expect(readFileSync(`${t.home}/agent.log`, 'utf8')).not.toContain(password)
  })

  it('counts a template as using its secret: usedBy, delete refused, STALE, rotate --resubmit', async () => {
    await t.ok(['secrets', 'new', 'api', 'TOKEN=first-token'])
    const d = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--env', 'AUTH=Bearer {{api:TOKEN}}', ...SLEEPER])
    const listed = await t.json<Array<{name: string; usedBy: string[]}>>(['secrets', 'list'])
    expect(listed[0].usedBy).toEqual([d.id])
    const refused = await t.hush(['secrets', 'delete', 'api', '--json'])
    expect(JSON.parse(refused.stdout).error).toMatchObject({code: 'secret_in_use', deployments: [d.id]})

    const rotated = await t.ok(['secrets', 'rotate', 'api', 'TOKEN=second-token'])
    expect(rotated.stdout).toContain(d.id)
    expect((await t.json<DeploymentInfo>(['status', d.id])).stale).toBe(true)
    await t.ok(['secrets', 'rotate', 'api', 'TOKEN=third-token', '--resubmit'])
    const after = await t.json<DeploymentInfo>(['status', d.id])
    expect(after.stale).toBe(false)
    expect(after.revision).toBe(2)
    expect((await inspectEnv(after.containerId!)).AUTH).toBe('Bearer third-token')
  })

  it('fails unknown references with unknown_secret together with --secret, launching nothing', async () => {
    await t.ok(['secrets', 'new', 'db', 'PASSWORD=x'])
    const result = await t.hush([
      'submit',
      TEST_IMAGE,
      '--secret',
      'ghost1',
      '--env',
      'URL=postgres://a:{{ghost2:PASSWORD}}@h/{{db:NOPE}}',
      '--json',
      '--',
      'true',
    ])
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'unknown_secret',
      missing: ['ghost1', 'ghost2'],
      missingKeys: ['db:NOPE'],
    })
    const human = await t.hush(['submit', TEST_IMAGE, '--env', 'URL={{ghost3:K}}', '--', 'true'])
    expect(human.exitCode).toBe(1)
    expect(human.stderr).toMatch(/^hush: .*ghost3/)
    expect(await t.json<DeploymentInfo[]>(['status'])).toEqual([])
    expect(await storeContainers(t)).toEqual([])
  })

  it('warns about credential-looking --env values without echoing them, and can be silenced', async () => {
    const token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345'
    const url = 'postgres://app:hunter2@db/app'
    const args = [
      TEST_IMAGE,
      '--env',
      `INNOCENT=${token}`,
      '--env',
      `DATABASE_URL=${url}`,
      '--env',
      'DB_PASSWORD={{db:PASSWORD}}',
      '--env',
      'HOME_URL=https://example.com',
      '--',
      'true',
    ]
    await t.ok(['secrets', 'new', 'db', 'PASSWORD=x'])
    const loud = await t.hush(['submit', ...args])
    expect(loud.exitCode, loud.stderr).toBe(0)
    const warnings = loud.stderr.split('\n').filter((line) => line.startsWith('warning:'))
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain('--env INNOCENT')
    expect(warnings[1]).toContain('--env DATABASE_URL')
    for (const line of warnings) expect(line).toContain('hush secrets new')
    expect(loud.stderr).not.toContain(token)
    expect(loud.stderr).not.toContain('hunter2')
    const quiet = await t.hush(['submit', ...args.slice(0, -2), '--no-warn', '--', 'true'])
    expect(quiet.exitCode).toBe(0)
    expect(quiet.stderr).not.toContain('warning:')
  })
})
