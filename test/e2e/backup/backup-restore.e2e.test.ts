// Backup and restore as a user runs them: the real agent, the real OS keyring, real docker. A
// 200-secret store goes through a backup file into a new store (own HUSH_HOME, own keyring entry)
// and reaches a container byte for byte; every bad input and fault of the issue changes nothing.
import {randomBytes} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it, onTestFinished} from 'vitest'
import type {AuditEvent, Hello, SecretInfo, SubmitOutput} from '../../../src/api/contract.js'
import {HushClient} from '../../../src/client/hush-client.js'
import Audit from '../../../src/commands/audit.js'
import Backup from '../../../src/commands/backup.js'
import SecretsList from '../../../src/commands/secrets/list.js'
import {resolvePaths} from '../../../src/config/paths.js'
import {BACKUP_PASSPHRASE, storeValues} from '../../support/backup-tools.js'
import {containerOutput, dockerAvailable, ensureTestImage, removeDockerStore, TEST_IMAGE} from '../../support/docker.js'
import {dirForTest, filesUnder, makeHome, onTerminal, sha256, type TestHome} from '../../support/helpers.js'
import {runAgainstStore} from '../../support/in-process.js'

const docker = await dockerAvailable(import.meta.url)
const run = randomBytes(4).toString('hex')

/** A fresh store for the test that calls it, removed with its containers when that test ends. */
function home(): TestHome {
  const t = makeHome()
  onTestFinished(() => removeDockerStore(t))
  return t
}

/** An SDK client on the store (fast set-up of many secrets), closed with the test. */
function sdk(t: TestHome): HushClient {
  const client = new HushClient({home: t.home})
  onTestFinished(() => client.close())
  return client
}

async function backup(t: TestHome, file: string, extra: string[] = []): Promise<void> {
  await t.ok(['backup', file, ...extra], {input: `${BACKUP_PASSPHRASE}\n`})
}

/** Every file under `dirs` whose raw bytes hold one of `sentinels` (or its base64 or hex). */
function leaks(dirs: string[], sentinels: string[]): string[] {
  const needles = sentinels.flatMap((value) => [
    Buffer.from(value),
    Buffer.from(Buffer.from(value).toString('base64').slice(0, 20)),
    Buffer.from(Buffer.from(value).toString('hex')),
  ])
  const found: string[] = []
  for (const dir of dirs.filter(existsSync)) {
    for (const file of filesUnder(dir)) {
      const bytes = readFileSync(file)
      if (needles.some((needle) => bytes.includes(needle))) found.push(file)
    }
  }
  return found
}

/** The sentinel inside every value of secret `i` (none is a prefix of another). */
const sentinelOf = (i: number) => `sentinel-${run}-${i}z`

const PEM = (i: number) =>
  `-----BEGIN PRIVATE KEY-----\n${sentinelOf(i)}${randomBytes(300)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`

/** The round trip's app scope and deployment name (docker's container names are global to the engine). */
const ROUNDTRIP = `roundtrip-${randomBytes(3).toString('hex')}`

/** 200 secrets: multi-line PEMs, 60 KiB values, unicode, plain; every tenth scoped to app `roundtrip`. */
function roundTripSecrets(): Array<{name: string; app?: string; values: Record<string, string>}> {
  return Array.from({length: 200}, (_, i) => {
    const sentinel = sentinelOf(i)
    const kind = i % 4
    const value =
      kind === 0
        ? PEM(i)
        : kind === 1 && i < 40
          ? `${sentinel}-${'x'.repeat(60 * 1024 - sentinel.length - 1)}`
          : kind === 2
            ? `${sentinel} héllo – 日本語 🙂 ü`
            : `${sentinel}-plain`
    return {
      name: `rt-${i}`,
      ...(i % 10 === 9 ? {app: ROUNDTRIP} : {}),
      values: {[`K${i}`]: value, ...(i % 3 === 0 ? {[`EXTRA${i}`]: `${sentinel}-extra`} : {})},
    }
  })
}

describe.runIf(docker)('backup and restore: 200 secrets into a new store, then into a container', () => {
  it('keeps every value byte for byte and no value on disk', async () => {
    await ensureTestImage()
    const a = home()
    const dir = dirForTest('hush-backup-')
    const secrets = roundTripSecrets()
    const client = sdk(a)
    for (let i = 0; i < secrets.length; i += 20) {
      await Promise.all(
        secrets.slice(i, i + 20).map((s) => client.createSecret(s.name, s.values, s.app ? {app: s.app} : {})),
      )
    }
    await client.rotateSecret('rt-3', {K3: `${sentinelOf(3)}-rotated`})
    secrets[3].values.K3 = `${sentinelOf(3)}-rotated`
    const file = join(dir, 'store.backup')
    await backup(a, file)

    // The header reads without the passphrase; the raw bytes hold no sentinel.
    const [magic, headerLine] = readFileSync(file, 'latin1').split('\n', 2)
    expect(magic).toBe('hush-backup')
    const header = JSON.parse(headerLine) as {format: number; counts: Record<string, number>}
    const valueCount = secrets.reduce((sum, s) => sum + Object.keys(s.values).length, 0)
    expect(header).toMatchObject({format: 1, counts: {secrets: 200, values: valueCount, deleted: 0, audit: 0}})
    const sentinels = secrets.map((_, i) => sentinelOf(i))
    expect(leaks([dir], sentinels)).toEqual([])

    // A new store: its own HUSH_HOME, its own keyring entry.
    const b = home()
    const restored = await b.json<{added: number}>(['restore', file], {input: BACKUP_PASSPHRASE})
    expect(restored.added).toBe(200)
    const helloA = await a.json<Hello>(['daemon', 'status'])
    const helloB = await b.json<Hello>(['daemon', 'status'])
    expect(helloB.keyringAccount).not.toBe(helloA.keyringAccount)
    const listed = await b.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed.find((s) => s.name === 'rt-3')?.version).toBe(2)
    expect(listed.filter((s) => s.app === ROUNDTRIP)).toHaveLength(20)

    // A container named `roundtrip` gets every secret (the app-scoped ones through its name).
    const keys = secrets.flatMap((s) => Object.keys(s.values))
    const script = `for k in ${keys.join(' ')}; do eval "v=\\"\\$$k\\""; printf '%s' "$v" | sha256sum | while read h rest; do echo "$k $h"; done; done`
    const submit = await b.ok([
      'submit',
      TEST_IMAGE,
      '--name',
      ROUNDTRIP,
      ...secrets.flatMap((s) => ['--secret', s.name]),
      '--json',
      '--',
      'sh',
      '-c',
      script,
    ])
    const submitted = JSON.parse(submit.stdout) as SubmitOutput
    await execa('docker', ['wait', submitted.containerId])
    const hashes = new Map(
      (await containerOutput(submitted.containerId))
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    )
    for (const s of secrets) {
      for (const [key, value] of Object.entries(s.values)) expect(hashes.get(key), key).toBe(sha256(value))
    }

    // A rotation of the data key re-encrypts the deployment's kept copies too: its logs still open.
    await b.ok(['init', '--rotate-key'])
    await b.ok(['daemon', 'stop'])
    const logs = await b.ok(['logs', submitted.id])
    expect(logs.stdout).toContain(`K0 ${sha256(secrets[0].values.K0)}`)

    // Nothing on disk holds a value: both stores, their runtime dirs, the backup's directory.
    const runtime = (t: TestHome) => resolvePaths({...process.env, ...t.env}).runtimeDir
    expect(leaks([a.home, b.home, runtime(a), runtime(b), dir], sentinels)).toEqual([])
  }, 300_000)
})

describe('backup: bad input and faults', () => {
  it('refuses a missing directory, an existing file without --force, differing passphrases', async () => {
    const t = home()
    const dir = dirForTest('hush-backup-')
    await t.ok(['secrets', 'new', 'db', 'PASSWORD=hunter2'])
    const missing = await t.hush(['backup', join(dir, 'nope', 'x.backup')], {input: BACKUP_PASSPHRASE})
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr.trim().split('\n')).toEqual([
      `hush: The directory ${join(dir, 'nope')} does not exist: create it first, or choose another path.`,
    ])
    const file = join(dir, 'b.backup')
    writeFileSync(file, 'old content')
    const exists = await t.hush(['backup', file], {input: BACKUP_PASSPHRASE})
    expect(exists.exitCode).toBe(2)
    expect(exists.stderr).toContain('pass --force')
    expect(readFileSync(file, 'utf8')).toBe('old content')
    const differ = await onTerminal(
      t,
      ['backup', join(dir, 'typed.backup')],
      [
        ['New backup passphrase (hidden):', 'first passphrase'],
        ['Repeat the backup passphrase:', 'second passphrase'],
      ],
    )
    expect(differ.exitCode).toBe(2)
    expect(differ.output).toContain('The two backup passphrases differ')
    expect(existsSync(join(dir, 'typed.backup'))).toBe(false)
    const typed = await onTerminal(
      t,
      ['backup', join(dir, 'typed.backup')],
      [
        ['New backup passphrase (hidden):', BACKUP_PASSPHRASE],
        ['Repeat the backup passphrase:', BACKUP_PASSPHRASE],
      ],
    )
    expect(typed.exitCode, typed.output).toBe(0)
    expect(typed.output).not.toContain(BACKUP_PASSPHRASE)
    await t.ok(['backup', file, '--force'], {input: BACKUP_PASSPHRASE})
    expect(readFileSync(file).subarray(0, 12).toString()).toBe('hush-backup\n')
    expect(readdirSync(dir).sort()).toEqual(['b.backup', 'typed.backup'])
    // `-` writes to standard output.
    const piped = await execa(process.execPath, [join(process.cwd(), 'bin/run.js'), 'backup', '-'], {
      env: t.env,
      input: BACKUP_PASSPHRASE,
      encoding: 'buffer',
      reject: false,
    })
    expect(piped.exitCode).toBe(0)
    expect(Buffer.from(piped.stdout).subarray(0, 12).toString()).toBe('hush-backup\n')
  }, 120_000)

  it('makes the file behind `hush backup - > FILE` 0600, whatever the umask made it', async () => {
    const t = home()
    const dir = dirForTest('hush-backup-')
    await t.ok(['secrets', 'new', 'db', 'PASSWORD=hunter2'])
    const fresh = join(dir, 'fresh.backup')
    const existing = join(dir, 'existing.backup')
    writeFileSync(existing, 'old')
    chmodSync(existing, 0o644)
    for (const file of [fresh, existing]) {
      const result = await execa(
        'sh',
        ['-c', 'umask 022; exec "$0" "$1" backup - > "$2"', process.execPath, join(process.cwd(), 'bin/run.js'), file],
        {env: t.env, input: BACKUP_PASSPHRASE, reject: false},
      )
      expect(result.exitCode, result.stderr).toBe(0)
      expect(result.stderr).not.toContain('warning')
      expect(statSync(file).mode & 0o777, file).toBe(0o600)
      expect(readFileSync(file).subarray(0, 12).toString()).toBe('hush-backup\n')
    }
  }, 120_000)

  it('leaves no partial file and the old one untouched when the disk fills up', async () => {
    const t = home()
    const dir = dirForTest('hush-backup-')
    const full = join(dir, 'small')
    mkdirSync(full)
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=80k,mode=0700', 'tmpfs', full], {reject: false})
    expect(mounted.exitCode, `mount a small tmpfs (root needed): ${mounted.stderr}`).toBe(0)
    onTestFinished(async () => {
      await execa('umount', [full], {reject: false})
    })
    const client = sdk(t)
    for (let i = 0; i < 3; i++) await client.createSecret(`big-${i}`, {V: randomBytes(30 * 1024).toString('base64')})
    const file = join(full, 'store.backup')
    writeFileSync(file, 'the old backup')
    for (const args of [['--force'], []]) {
      const target = args.length ? file : join(full, 'new.backup')
      const result = await t.hush(['backup', target, ...args], {input: BACKUP_PASSPHRASE})
      expect(result.exitCode).toBe(1)
      expect(result.stderr.trim().split('\n')).toEqual([
        `hush: Could not write the backup (no space left in ${full}): ${target} was not written or changed.`,
      ])
      expect(readdirSync(full)).toEqual(['store.backup'])
      expect(readFileSync(file, 'utf8')).toBe('the old backup')
    }
  }, 120_000)

  it('refuses a wrong passphrase, any damaged file and a newer format; nothing changes', async () => {
    const a = home()
    const dir = dirForTest('hush-backup-')
    await a.ok(['secrets', 'new', 'db', 'PASSWORD=hunter2', 'USER=bob'])
    await a.ok(['secrets', 'new', 'api', 'TOKEN=t0k3n', '--app', 'web'])
    const file = join(dir, 'good.backup')
    await backup(a, file)
    const good = readFileSync(file)
    const b = home()
    await b.ok(['secrets', 'list'])
    const headerEnd = good.indexOf(0x0a, 12)
    const variants: Array<[string, Buffer, RegExp]> = [
      ['wrong passphrase', good, /Wrong backup passphrase/],
      ['cut short', good.subarray(0, Math.floor(good.length / 2)), /damaged \(it is cut short\)/],
      ['last byte flipped', flip(good, good.length - 1), /damaged/],
      ['middle byte flipped', flip(good, Math.floor((headerEnd + good.length) / 2)), /damaged/],
      [
        'header count edited',
        Buffer.from(good.toString('latin1').replace('"secrets":2', '"secrets":3'), 'latin1'),
        /damaged/,
      ],
      ['magic flipped', flip(good, 0), /not a hush backup/],
      [
        'newer format',
        Buffer.from(good.toString('latin1').replace('{"format":1,', '{"format":2,'), 'latin1'),
        /format 2.*upgrade hush/,
      ],
    ]
    for (const [label, bytes, message] of variants) {
      const path = join(dir, `${label.replaceAll(' ', '-')}.backup`)
      writeFileSync(path, bytes)
      const input = label === 'wrong passphrase' ? 'not the passphrase' : BACKUP_PASSPHRASE
      // `restore` as the binary; `backup --verify` in-process against the same agent (its answer).
      for (const result of [
        await b.hush(['restore', path], {input}),
        await runAgainstStore(b, Backup, ['--verify', path], {stdin: input}),
      ]) {
        expect(result.exitCode, label).toBe(1)
        const lines = result.stderr.trim().split('\n')
        expect(lines, label).toHaveLength(1)
        expect(lines[0], label).toMatch(message)
      }
    }
    expect(JSON.parse((await runAgainstStore(b, SecretsList, ['--json'])).stdout)).toEqual([])
    const audit = JSON.parse((await runAgainstStore(b, Audit, ['--json'])).stdout) as AuditEvent[]
    expect(audit.map((e) => e.event)).not.toContain('store.restored')
    const verified = await b.hush(['backup', '--verify', file], {input: BACKUP_PASSPHRASE})
    expect(verified.stdout).toContain('is intact and opens with this passphrase')
    expect(verified.stdout).toContain('2 secrets, 3 values')
  }, 180_000)

  it('restores into an empty store only, merges by rule, continues versions, audits the counts', async () => {
    const a = home()
    const dir = dirForTest('hush-backup-')
    await a.ok(['secrets', 'new', 'db', 'PASSWORD=v1', '--description', 'the database'])
    for (let v = 2; v <= 7; v++) await a.ok(['secrets', 'rotate', 'db', `PASSWORD=v${v}`])
    await a.ok(['secrets', 'new', 'gone', 'X=1'])
    await a.ok(['secrets', 'delete', 'gone'])
    await a.ok(['secrets', 'new', 'api', 'TOKEN=scoped', '--app', 'web'])
    const file = join(dir, 'a.backup')
    await backup(a, file, ['--include-deleted'])

    const b = home()
    await b.ok(['restore', file], {input: BACKUP_PASSPHRASE})
    const listed = await b.json<SecretInfo[]>(['secrets', 'list', '--include-deleted'])
    expect(listed.map((s) => [s.name, s.app, s.version, s.description, s.deletedAt !== undefined])).toEqual([
      ['api', 'web', 1, '', false],
      ['db', null, 7, 'the database', false],
      ['gone', null, 1, '', true],
    ])
    expect((await b.json<{secret: SecretInfo}>(['secrets', 'rotate', 'db', 'PASSWORD=v8'])).secret.version).toBe(8)
    const events = await b.json<AuditEvent[]>(['audit'])
    expect(events.filter((e) => e.event === 'secret.rotated' && e.secret === 'db').map((e) => e.version)).toEqual([
      2, 3, 4, 5, 6, 7, 8,
    ])
    expect(events.find((e) => e.event === 'store.restored')?.counts).toEqual({
      added: 2,
      replaced: 0,
      skipped: 0,
      deleted: 1,
      audit: expect.any(Number),
    })

    // Not empty now: --into-empty (the default) refuses; --merge fails on conflicts, listing them.
    const refused = await b.hush(['restore', file], {input: BACKUP_PASSPHRASE})
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain('This store has 2 live secrets')
    const conflict = await b.hush(['restore', file, '--merge'], {input: BACKUP_PASSPHRASE})
    expect(conflict.exitCode).toBe(1)
    expect(conflict.stderr).toContain('2 secrets of the backup already exist here: api (app web), db;')
    const skipped = await b.json<{added: number; skipped: string[]}>(
      ['restore', file, '--merge', '--on-conflict', 'skip'],
      {input: BACKUP_PASSPHRASE},
    )
    expect(skipped).toMatchObject({added: 0, skipped: ['api (app web)', 'db']})
    expect((await storeValues(b, dir))['db.PASSWORD']).toBe('v8')
    // Replace asks on a terminal; without one it needs --yes.
    const noYes = await b.hush(['restore', file, '--merge', '--on-conflict', 'replace'], {input: BACKUP_PASSPHRASE})
    expect(noYes.exitCode).toBe(2)
    expect(noYes.stderr).toContain('add --yes')
    const typedWrong = await onTerminal(
      b,
      ['restore', file, '--merge', '--on-conflict', 'replace'],
      [['Type a.backup to go ahead:', 'nope']],
    )
    expect(typedWrong.exitCode).toBe(1)
    expect(typedWrong.output).toContain('Not confirmed')
    const replaced = await b.json<{replaced: string[]}>(
      ['restore', file, '--merge', '--on-conflict', 'replace', '--yes'],
      {
        input: BACKUP_PASSPHRASE,
      },
    )
    expect(replaced.replaced).toEqual(['api (app web)', 'db'])
    expect(await storeValues(b, dir)).toEqual({'api@web.TOKEN': 'scoped', 'db.PASSWORD': 'v7'})
    expect((await b.json<SecretInfo[]>(['secrets', 'list'])).find((s) => s.name === 'db')?.version).toBe(9)
  }, 180_000)

  it('refuses to restore into a sealed store, and restores once it is unsealed', async () => {
    const a = home()
    const dir = dirForTest('hush-backup-')
    await a.ok(['secrets', 'new', 'db', 'PASSWORD=hunter2'])
    const file = join(dir, 'a.backup')
    await backup(a, file)
    const b = home()
    await b.ok(['init', '--keyring', 'passphrase'], {input: 'store passphrase 1\n'})
    await b.ok(['seal'])
    const sealed = await b.hush(['restore', file], {input: BACKUP_PASSPHRASE})
    expect(sealed.exitCode).toBe(1)
    expect(sealed.stderr.trim()).toBe('hush: The hush store is sealed (passphrase mode): run `hush unseal` first.')
    await b.ok(['unseal'], {input: 'store passphrase 1'})
    await b.ok(['restore', file], {input: BACKUP_PASSPHRASE})
    expect(await storeValues(b, dir)).toEqual({'db.PASSWORD': 'hunter2'})
  }, 120_000)
})

describe('the SDK', () => {
  it('backs up, restores and rotates the key over the same routes', async () => {
    const dir = dirForTest('hush-backup-')
    const a = home()
    await sdk(a).createSecret('db', {PASSWORD: 'from the sdk'}, {app: 'api'})
    const file = await sdk(a).backup(BACKUP_PASSPHRASE)
    expect(file.subarray(0, 12).toString()).toBe('hush-backup\n')
    const b = home()
    const client = sdk(b)
    expect(await client.restore(file, BACKUP_PASSPHRASE)).toMatchObject({added: 1, replaced: [], skipped: []})
    expect(await client.restore(file, BACKUP_PASSPHRASE, {mode: 'merge', onConflict: 'skip'})).toMatchObject({
      added: 0,
      skipped: ['db (app api)'],
    })
    expect(await client.rotateKey()).toEqual({keyring: 'os', secrets: 1, values: 1})
    expect(await storeValues(b, dir)).toEqual({'db@api.PASSWORD': 'from the sdk'})
  }, 120_000)
})

function flip(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes)
  copy[index] ^= 0x20
  return copy
}
