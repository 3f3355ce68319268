// `hush submit` against the real Docker engine: precedence (from docker inspect and from the
// container's own env), byte-for-byte values, the env-file's short life on tmpfs, no value in any
// process argument list, scrubbed docker errors, unknown secrets, the advisory warning.
import {createHash, randomBytes} from 'node:crypto'
import {readdirSync, readFileSync, statfsSync, statSync, writeFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {envFileDir, resolvePaths} from '../../../src/config/paths.js'
import {STATUS_JSON_FIELDS} from '../../support/deployment-fixtures.js'
import {
  containerOutput,
  dockerTestFile,
  inspectEnv,
  storeContainers,
  submitJson,
  TEST_IMAGE,
} from '../../support/docker.js'
import {waitFor} from '../../support/helpers.js'

const {docker, t} = await dockerTestFile(import.meta.url)

async function secret(name: string, pairs: Record<string, string>): Promise<void> {
  const args = ['secrets', 'new', name, ...Object.entries(pairs).map(([key, value]) => `${key}=${value}`)]
  const result = await t.hush(args)
  expect(result.exitCode, result.stderr).toBe(0)
}

async function submit(args: string[], env: Record<string, string> = {}): Promise<SubmitOutput> {
  return submitJson<SubmitOutput>(t, args, env)
}

/** `env` output of a container that ran `env` and exited. */
function parseEnvOutput(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return env
}

describe.skipIf(!docker)('submit', () => {
  it('applies bundles in order, lets --env win (that key not injected) and honours both alias forms', async () => {
    await secret('base', {SHARED: 'from-base', ONLY_BASE: 'b1', OVERRIDDEN: 'secret-loses'})
    await secret('later', {SHARED: 'from-later', ONLY_LATER: 'l1'})
    await secret('single', {TOKEN: 'single-value'})
    await secret('multi', {USER: 'multi-user', PASS: 'multi-pass'})

    const out = await submit([
      TEST_IMAGE,
      '--secret',
      'base',
      '--secret',
      'later',
      '--secret',
      'ALIAS_ONE=single',
      '--secret',
      'DB_PASS=multi:PASS',
      '--env',
      'OVERRIDDEN=plain-wins',
      '--wait',
      '--',
      'env',
    ])
    expect(out.state).toBe('exited')
    const expected = {
      SHARED: 'from-later',
      ONLY_BASE: 'b1',
      ONLY_LATER: 'l1',
      OVERRIDDEN: 'plain-wins',
      ALIAS_ONE: 'single-value',
      DB_PASS: 'multi-pass',
    }
    const inspected = await inspectEnv(out.containerId)
    const own = parseEnvOutput(await containerOutput(out.containerId))
    for (const env of [inspected, own]) {
      expect(env).toMatchObject(expected)
      expect(env).not.toHaveProperty('TOKEN')
      expect(env).not.toHaveProperty('USER')
      expect(env).not.toHaveProperty('PASS')
    }
    // The overridden secret value is not in the container at all.
    expect(JSON.stringify(inspected)).not.toContain('secret-loses')

    const status = await t.json<DeploymentInfo>(['status', out.id])
    expect(Object.keys(status).sort()).toEqual(STATUS_JSON_FIELDS)
    expect(status).toMatchObject({
      state: 'exited',
      exitCode: 0,
      revision: 1,
      stale: false,
      env: {OVERRIDDEN: 'plain-wins'},
    })
    expect(status.secrets).toEqual([
      {name: 'base', keys: ['ONLY_BASE'], env: ['ONLY_BASE'], files: [], version: 1},
      {name: 'later', keys: ['ONLY_LATER', 'SHARED'], env: ['ONLY_LATER', 'SHARED'], files: [], version: 1},
      {name: 'single', keys: ['ALIAS_ONE'], env: ['ALIAS_ONE'], files: [], version: 1},
      {name: 'multi', keys: ['DB_PASS'], env: ['DB_PASS'], files: [], version: 1},
    ])

    const bad = await t.hush(['submit', TEST_IMAGE, '--secret', 'X=multi'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('--secret X=multi:SRCKEY')
  })

  it('delivers every value byte for byte (sha256 inside the container), via env-file or client env', async () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${randomBytes(600)
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`
    const values: Record<string, string> = {
      SPACES: '  spaces at both ends  ',
      HASH: '# not a comment # at all',
      EQUALS: 'a=b==c=',
      DQUOTES: '"double quoted"',
      SQUOTES: "'single quoted'",
      BACKSLASH: 'back\\slash \\n \\\\ end\\',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text ${HOME} must reach the container as is
      DOLLAR: '$HOME ${HOME} $(echo no) `echo no`',
      UNICODE: 'héllo – 日本語 🙂 ü',
      BIG: randomBytes(45 * 1024)
        .toString('base64')
        .slice(0, 60 * 1024),
      PEM: pem,
      CRLF: 'line one\r\nline two',
      HUGE: 'x'.repeat(64 * 1024),
    }
    expect(Buffer.byteLength(values.BIG)).toBe(60 * 1024)
    await secret('fidelity', values)
    const keys = Object.keys(values)
    const script = `for k in ${keys.join(' ')}; do eval "v=\\"\\$$k\\""; printf '%s' "$v" | sha256sum | while read h rest; do echo "$k $h"; done; done`
    const out = await submit([TEST_IMAGE, '--secret', 'fidelity', '--wait', '--', 'sh', '-c', script])
    expect(out.state).toBe('exited')
    const hashes = Object.fromEntries(
      (await containerOutput(out.containerId))
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    )
    for (const key of keys) {
      expect(hashes[key], key).toBe(createHash('sha256').update(values[key]).digest('hex'))
    }
    const inspected = await inspectEnv(out.containerId)
    for (const key of keys) expect(inspected[key] === values[key], key).toBe(true)
  })

  it('keeps the env-file on tmpfs only while docker runs, also when docker fails', async () => {
    await secret('app', {APP_TOKEN: 'tok-0123456789'})
    const dir = envFileDir(resolvePaths({...process.env, ...t.env}))
    const seen: string[] = []
    let polling = true
    const poll = (async () => {
      while (polling) {
        try {
          for (const file of readdirSync(dir)) {
            try {
              seen.push(`${file} ${(statSync(`${dir}/${file}`).mode & 0o777).toString(8)}`)
            } catch {
              // removed meanwhile
            }
          }
        } catch {
          // not created yet
        }
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
    })()
    const ok = await submit([TEST_IMAGE, '--secret', 'app', '--', 'true'])
    const failed = await t.hush(['submit', 'hush-test/no-such-image', '--secret', 'app', '--', 'true'])
    polling = false
    await poll
    expect(ok.state).toMatch(/running|exited/)
    expect(failed.exitCode).toBe(1)
    expect(failed.stderr).toMatch(/docker run failed: .*no-such-image/)

    expect(statfsSync(dir).type).toBe(0x01021994)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(readdirSync(dir)).toEqual([])
    for (const entry of seen) expect(entry).toMatch(/\.env 600$/)
    // A leftover of a killed agent is removed when the next agent starts.
    writeFileSync(`${dir}/d-00000000-leftover.env`, 'APP_TOKEN=x\n', {mode: 0o600})
    await t.hush(['daemon', 'stop'])
    await t.hush(['daemon', 'start'])
    await waitFor(() => readdirSync(dir).length === 0, 20_000)
    // The failed submit left no deployment behind.
    const all = await t.json<DeploymentInfo[]>(['status'])
    expect(all.map((d) => d.id)).toEqual([ok.id])
  })

  it('never puts a value in any process argument list while submitting', async () => {
    const value = `cmdline-canary-${randomBytes(8).toString('hex')}`
    const multi = `first-line-canary-${randomBytes(8).toString('hex')}\nsecond`
    const created = await t.hush(['secrets', 'new', 'canary', '--from-stdin', 'CANARY'], {input: `${value}\n`})
    expect(created.exitCode).toBe(0)
    await t.hush(['secrets', 'rotate', 'canary', '--from-stdin', 'MULTI'], {input: `${multi}\n`})
    const leaks: string[] = []
    let polling = true
    let scans = 0
    const poll = (async () => {
      while (polling) {
        for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
          try {
            const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
            if (cmdline.includes(value) || cmdline.includes(multi.split('\n')[0])) leaks.push(cmdline)
          } catch {
            // gone
          }
        }
        scans++
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
    })()
    for (let i = 0; i < 3; i++) await submit([TEST_IMAGE, '--secret', 'canary', '--', 'true'])
    polling = false
    await poll
    expect(scans).toBeGreaterThan(3)
    expect(leaks).toEqual([])
  })

  it("scrubs secret values from docker's error output", async () => {
    // docker echoes a bad volume name back; here that text is also a secret value. (hush checks
    // --workdir itself now, so docker's own echo is reached through --volume.)
    const value = `relative/dir-${randomBytes(6).toString('hex')}`
    await secret('scrub', {VOLUME_SECRET: value})
    const volume = `${value}:/data`
    const failed = await t.hush(['submit', TEST_IMAGE, '--secret', 'scrub', '--volume', volume, '--', 'true'])
    expect(failed.exitCode).toBe(1)
    expect(failed.stderr).toContain('"***" includes invalid characters for a local volume name')
    expect(failed.stderr).not.toContain(value)
    const json = await t.hush(['submit', TEST_IMAGE, '--secret', 'scrub', '--volume', volume, '--json', '--', 'true'])
    expect(json.stdout).toContain('launch_failed')
    expect(json.stdout).not.toContain(value)
    expect(readFileSync(`${t.home}/agent.log`, 'utf8')).not.toContain(value)
  })

  it('names every unknown secret and creates no container', async () => {
    await secret('known', {A: '1'})
    const result = await t.hush([
      'submit',
      TEST_IMAGE,
      '--secret',
      'known',
      '--secret',
      'ghost1',
      '--secret',
      'X=ghost2:K',
    ])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('ghost1, ghost2')
    const json = await t.hush(['submit', TEST_IMAGE, '--secret', 'ghost1', '--secret', 'ghost2', '--json'])
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'unknown_secret', missing: ['ghost1', 'ghost2']})
    expect(await storeContainers(t)).toEqual([])
    expect(await t.json<DeploymentInfo[]>(['status'])).toEqual([])
  })

  it('says clearly when the docker CLI is missing, and launches nothing', async () => {
    await secret('s', {A: '1'})
    await t.hush(['daemon', 'stop'])
    // The agent started by this command runs `docker` from HUSH_DOCKER.
    const result = await t.hush(['submit', TEST_IMAGE, '--secret', 's', '--', 'true'], {
      env: {HUSH_DOCKER: '/nonexistent/docker'},
    })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('The docker CLI is not installed')
    expect(await t.json<DeploymentInfo[]>(['status'])).toEqual([])
  })

  it('warns about sensitive-looking --env keys on stderr, still launches, and can be silenced', async () => {
    const args = [TEST_IMAGE, '--env', 'HF_TOKEN=x', '--env', 'KEYBOARD=y', '--env', 'dbPassword=z', '--', 'true']
    const loud = await t.hush(['submit', ...args])
    expect(loud.exitCode).toBe(0)
    expect(loud.stdout.trim()).toMatch(/^d-[0-9a-f]{8}$/)
    const warnings = loud.stderr.split('\n').filter((line) => line.startsWith('warning:'))
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain('HF_TOKEN')
    expect(warnings[1]).toContain('dbPassword')
    for (const line of warnings) expect(line).toContain('hush secrets new')

    const json = await submit(args)
    expect(json.warnings).toHaveLength(2)
    for (const quiet of [
      await t.hush(['submit', ...args.slice(0, -2), '--no-warn', '--', 'true']),
      await t.hush(['submit', ...args], {env: {HUSH_NO_WARN: '1'}}),
      await (async () => {
        writeFileSync(`${t.home}/preferences.json`, JSON.stringify({warnSensitiveEnv: false}))
        return t.hush(['submit', ...args])
      })(),
    ]) {
      expect(quiet.exitCode).toBe(0)
      expect(quiet.stderr).not.toContain('warning:')
    }
  })
})
