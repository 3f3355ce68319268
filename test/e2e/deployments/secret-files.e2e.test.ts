import {existsSync, mkdirSync, readdirSync, readFileSync, statfsSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {DeploymentInfo, ResubmitOutput, SubmitOutput} from '../../../src/api/contract.js'
import {envFileDir, resolvePaths} from '../../../src/config/paths.js'
import {containerOutput, dockerTestFile, inspectEnv, SLEEPER, submitJson, TEST_IMAGE} from '../../support/docker.js'
import {sha256, waitFor} from '../../support/helpers.js'

const {docker, t} = await dockerTestFile(import.meta.url)

/** A PEM-shaped multi-line value with a trailing newline, CRLF, spaces and UTF-8. */
function pem(tag: string): string {
  const body = Array.from({length: 6}, (_, i) => `${tag}${i}`.padEnd(64, 'A').replace(/A/g, String(i)))
  return `-----BEGIN PRIVATE KEY-----\n${body.join('\n')}\r\n  trailing spaces  \nünïcödé\n-----END PRIVATE KEY-----\n`
}

/** Stores NAME with KEY=value, the value read from stdin exactly (one extra newline is dropped). */
async function secretFromStdin(name: string, key: string, value: string, verb: 'new' | 'rotate' = 'new') {
  await t.ok(['secrets', verb, name, '--from-stdin', key], {input: `${value}\n`})
}

function filesRoot(): string {
  return join(envFileDir(resolvePaths({...process.env, ...t.env})), 'files')
}

function hostDirs(): string[] {
  return existsSync(filesRoot()) ? readdirSync(filesRoot()).sort() : []
}

async function exec(containerId: string, script: string): Promise<{stdout: string; exitCode: number}> {
  const {execa} = await import('execa')
  const result = await execa('docker', ['exec', containerId, 'sh', '-c', script], {reject: false, stdin: 'ignore'})
  return {stdout: result.stdout, exitCode: result.exitCode ?? -1}
}

describe.skipIf(!docker)('secret files', () => {
  it('mounts each key byte for byte and read-only, keeps it out of the env, and removes it on resubmit and terminate', async () => {
    const key1 = pem('first')
    await secretFromStdin('tls', 'TLS_KEY', key1)
    await t.ok(['secrets', 'rotate', 'tls', 'TLS_CERT=cert-one'])
    const d = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret-file', 'tls', ...SLEEPER])

    // Inside the container: the exact bytes, read-only, not in the environment.
    const sums = await exec(d.containerId, 'sha256sum /run/secrets/TLS_KEY /run/secrets/TLS_CERT')
    expect(sums.stdout).toContain(`${sha256(key1)}  /run/secrets/TLS_KEY`)
    expect(sums.stdout).toContain(`${sha256('cert-one')}  /run/secrets/TLS_CERT`)
    const write = await exec(d.containerId, 'echo tampered > /run/secrets/TLS_KEY')
    expect(write.exitCode).not.toBe(0)
    expect((await exec(d.containerId, 'sha256sum /run/secrets/TLS_KEY')).stdout).toContain(sha256(key1))
    const env = await exec(d.containerId, 'env')
    expect(env.stdout).not.toContain('BEGIN PRIVATE KEY')
    expect(env.stdout).not.toContain('cert-one')
    const inspected = JSON.stringify(await inspectEnv(d.containerId))
    expect(inspected).not.toContain('BEGIN PRIVATE KEY')
    expect(inspected).not.toContain('cert-one')

    // On the host: one private directory per revision, 0600 files on tmpfs.
    expect(hostDirs()).toEqual([`${d.id}-r1`])
    const hostFile = join(filesRoot(), `${d.id}-r1`, 'TLS_KEY')
    expect(statfsSync(hostFile).type).toBe(0x01021994)
    expect(statSync(hostFile).mode & 0o777).toBe(0o600)
    expect(statSync(join(filesRoot(), `${d.id}-r1`)).mode & 0o777).toBe(0o700)

    // status shows names, keys (files) and versions, never a value.
    const status = await t.json<DeploymentInfo>(['status', d.id])
    // The spec's JSON shape: file secrets are listed with their paths as keys.
    expect(status.secrets).toEqual([
      {
        name: 'tls',
        keys: ['/run/secrets/TLS_CERT', '/run/secrets/TLS_KEY'],
        env: [],
        files: ['/run/secrets/TLS_CERT', '/run/secrets/TLS_KEY'],
        version: 2,
      },
    ])
    expect(JSON.stringify(status)).not.toContain('cert-one')
    const human = await t.ok(['status', d.id])
    expect(human.stdout).toContain('--secret-file: tls')
    expect(human.stdout).toMatch(
      /\n\s+tls\s+shared\s+version 2\s+files \(read-only\) \/run\/secrets\/TLS_CERT, \/run\/secrets\/TLS_KEY/,
    )
    const listed = await t.json<Array<{name: string; usedBy: string[]}>>(['secrets', 'list'])
    expect(listed.find((s) => s.name === 'tls')?.usedBy).toEqual([d.id])
    const audit = await t.json<
      Array<{event: string; secret: string | null; keys: string[]; deployment: string | null}>
    >(['audit'])
    expect(audit.find((event) => event.event === 'deployment.submitted')).toMatchObject({
      secret: 'tls',
      keys: ['/run/secrets/TLS_CERT', '/run/secrets/TLS_KEY'],
      deployment: d.id,
    })
    const refused = await t.hush(['secrets', 'delete', 'tls'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain(d.id)

    // Rotate -> stale -> resubmit: fresh files for the new container, the old ones gone.
    const key2 = pem('second')
    await secretFromStdin('tls', 'TLS_KEY', key2, 'rotate')
    expect((await t.json<DeploymentInfo>(['status', d.id])).stale).toBe(true)
    const again = await t.json<ResubmitOutput>(['resubmit', d.id])
    expect((await exec(again.containerId, 'sha256sum /run/secrets/TLS_KEY')).stdout).toContain(sha256(key2))
    expect(hostDirs()).toEqual([`${d.id}-r2`])
    expect(readFileSync(join(filesRoot(), `${d.id}-r2`, 'TLS_KEY'), 'utf8')).toBe(key2)
    const after = await t.json<DeploymentInfo>(['status', d.id])
    expect(after.stale).toBe(false)
    expect(after.secrets).toEqual([
      {
        name: 'tls',
        keys: ['/run/secrets/TLS_CERT', '/run/secrets/TLS_KEY'],
        env: [],
        files: ['/run/secrets/TLS_CERT', '/run/secrets/TLS_KEY'],
        version: 3,
      },
    ])

    await t.ok(['terminate', d.id])
    expect(hostDirs()).toEqual([])
    expect(existsSync(filesRoot())).toBe(false)
  })

  it('removes the files when the container exits, redacts their values in logs, and names unknown secrets', async () => {
    const key = pem('logged')
    await secretFromStdin('sshkey', 'id_ed25519', key)
    await t.ok(['secrets', 'new', 'plain', 'A=1'])
    const d = await submitJson<SubmitOutput>(t, [
      TEST_IMAGE,
      '--secret-file',
      'sshkey',
      '--wait',
      '--',
      'sh',
      '-c',
      'cat /run/secrets/id_ed25519; ls -l /run/secrets',
    ])
    expect(d.state).toBe('exited')
    // The container really printed the key; hush shows *** for it, line by line too.
    expect(await containerOutput(d.containerId)).toContain('-----BEGIN PRIVATE KEY-----')
    const logs = await t.ok(['logs', d.id])
    expect(logs.stdout).toContain('***')
    for (const line of key.split(/\r?\n/).filter((item) => item.trim().length >= 4)) {
      expect(logs.stdout).not.toContain(line.trim())
    }
    // The container is gone from running: the agent removed its files when it read the state.
    await t.ok(['status'])
    expect(hostDirs()).toEqual([])

    // A file given to one uid (uid=) is not readable by another container user; a numeric
    // --user makes the files that user's by default.
    const uid = String(process.getuid?.() ?? 0)
    const other = uid === '65534' ? '65533' : '65534'
    const read = ['--wait', '--', 'sh', '-c', 'cat /run/secrets/id_ed25519 > /dev/null']
    const denied = await t.hush(['submit', TEST_IMAGE, '--secret-file', `sshkey,uid=${uid}`, '--user', other, ...read])
    expect(denied.exitCode).not.toBe(0)
    const same = await t.hush(['submit', TEST_IMAGE, '--secret-file', 'sshkey', '--user', other, ...read])
    expect(same.exitCode, same.stderr).toBe(0)
    await t.ok(['status'])
    expect(hostDirs()).toEqual([])

    // All or nothing with --secret: every unknown name listed, nothing launched.
    const json = await t.hush([
      'submit',
      TEST_IMAGE,
      '--secret',
      'plain',
      '--secret',
      'ghost1',
      '--secret-file',
      'ghost2',
      '--json',
      '--',
      'true',
    ])
    expect(json.exitCode).toBe(1)
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'unknown_secret', missing: ['ghost1', 'ghost2']})
    expect((await t.json<DeploymentInfo[]>(['status'])).length).toBe(3)
    expect(hostDirs()).toEqual([])
  })

  it('removes leftover files of deployments that are no longer live when the agent starts', async () => {
    await t.ok(['secrets', 'new', 'cfg', 'CONFIG=one'])
    const live = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'cfg', '--secret-file', 'cfg', ...SLEEPER])
    // One entry per secret: its env keys, then its files.
    expect((await t.json<DeploymentInfo>(['status', live.id])).secrets).toEqual([
      {
        name: 'cfg',
        keys: ['CONFIG', '/run/secrets/CONFIG'],
        env: ['CONFIG'],
        files: ['/run/secrets/CONFIG'],
        version: 1,
      },
    ])
    // What a killed agent could leave: files of a deployment that no longer runs.
    const leftover = join(filesRoot(), 'd-0000dead-r1')
    mkdirSync(leftover, {mode: 0o700})
    writeFileSync(join(leftover, 'CONFIG'), 'stale', {mode: 0o600})
    // ... and an older revision of a live one.
    const older = join(filesRoot(), `${live.id}-r0`)
    mkdirSync(older, {mode: 0o700})
    await t.ok(['daemon', 'stop'])
    await t.ok(['daemon', 'start'])
    await waitFor(() => !existsSync(leftover) && !existsSync(older), 30_000)
    expect(hostDirs()).toEqual([`${live.id}-r1`])
    expect((await exec(live.containerId, 'cat /run/secrets/CONFIG')).stdout).toBe('one')
  })
})
