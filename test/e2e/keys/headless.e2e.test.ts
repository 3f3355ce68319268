// Headless machines (no D-Bus session bus, as over SSH): the terminal offer of a passphrase, one
// unseal per boot through the kernel keyring (read back with keyctl), TTL expiry, `seal`, entries
// that do not open the store, keyctl missing, and the bad inputs of init/unseal.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import type {Hello, KeyringStatus} from '../../../src/api/contract.js'
import {errorLine} from '../../support/agent-tools.js'
import {storeId as storeIdOf} from '../../support/docker.js'
import {BIN, makeHome, type TestHome, waitFor, withoutSessionBus} from '../../support/helpers.js'
import {cachedEntryId, cachedPayload, plantEntry} from '../../support/kernel-keyring.js'
import {Tmux} from '../../support/terminal.js'

const PASSPHRASE = 'headless passphrase 7'

withoutSessionBus()

const homes: TestHome[] = []
const tmuxes: Tmux[] = []
function home(): TestHome {
  const t = makeHome()
  homes.push(t)
  return t
}
afterEach(async () => {
  for (const tmux of tmuxes.splice(0)) await tmux.kill()
  await Promise.all(homes.splice(0).map((t) => t.cleanup()))
})

type Status = Hello & {running: true; keyringStatus: KeyringStatus}

async function passphraseStore(ttl?: string): Promise<{t: TestHome; storeId: string}> {
  const t = home()
  await t.ok(['init', '--keyring', 'passphrase', ...(ttl ? ['--ttl', ttl] : [])], {input: `${PASSPHRASE}\n`})
  const storeId = await storeIdOf(t)
  expect(storeId).toBeTruthy()
  return {t, storeId: storeId!}
}

describe('headless: no OS keyring', () => {
  it('offers a passphrase on a terminal; later agents open the store from the kernel keyring until `seal`', async () => {
    const t = home()
    const tmux = new Tmux(join(t.home, 'tmux.sock'), {
      ...(process.env as Record<string, string>),
      ...t.env,
    })
    tmuxes.push(tmux)
    const term = await tmux.open(`node ${BIN} secrets new first K=v1; echo "exit=$?"; sleep 600`)
    await term.until('Set a passphrase for this store now? [Y/n]')
    expect(await term.screen()).toContain('No OS keyring answers here (no D-Bus session bus)')
    await term.keys('Enter')
    await term.until('New passphrase (hidden):')
    await term.keys('-l', PASSPHRASE)
    await term.keys('Enter')
    await term.until('Repeat the passphrase:')
    await term.keys('-l', PASSPHRASE)
    await term.keys('Enter')
    const done = await term.until('exit=')
    expect(done).toContain('This store is in passphrase mode and unsealed')
    expect(done).toContain('Created secret first: version 1')
    expect(done).toContain('exit=0')
    expect(term.screens.join('\n')).not.toContain(PASSPHRASE)

    // The kernel keyring holds the key: read it back with keyctl.
    const storeId = (await storeIdOf(t))!
    const payload = await cachedPayload(storeId)
    expect(payload?.toString('utf8').split('\n').slice(0, 2)).toEqual(['hush-unlock/v1', storeId])

    // A new agent (after `daemon stop`) opens the store without a second unseal.
    await t.ok(['daemon', 'stop'])
    const second = await t.ok(['secrets', 'new', 'second', 'K=v2'])
    expect(second.stdout).toContain('Created secret second')
    const status = await t.hush(['daemon', 'status'])
    expect(status.stdout).toMatch(
      /master key: passphrase, unsealed; the kernel (user )?keyring .*keeps the key until reboot/,
    )

    // `seal` removes the entry (keyctl finds none) and seals the running agent; a new agent is sealed.
    const sealed = await t.ok(['seal'])
    expect(sealed.stdout).toContain('Sealed: the key is wiped from the agent’s memory and the kernel keyring.')
    expect(await cachedEntryId(storeId)).toBeUndefined()
    await t.ok(['daemon', 'stop'])
    const refused = await t.hush(['secrets', 'new', 'third', 'K=v3'])
    expect(refused.exitCode).toBe(1)
    expect(errorLine(refused.stderr)).toBe('hush: The hush store is sealed (passphrase mode): run `hush unseal` first.')
  }, 180_000)

  it('refuses two different passphrases at the offer with one line; nothing is stored', async () => {
    const t = home()
    const tmux = new Tmux(join(t.home, 'tmux.sock'), {...(process.env as Record<string, string>), ...t.env})
    tmuxes.push(tmux)
    const term = await tmux.open(`node ${BIN} secrets new first K=v1; echo "exit=$?"; sleep 600`)
    await term.until('Set a passphrase for this store now? [Y/n]')
    await term.keys('-l', 'y')
    await term.keys('Enter')
    await term.until('New passphrase (hidden):')
    await term.keys('-l', PASSPHRASE)
    await term.keys('Enter')
    await term.until('Repeat the passphrase:')
    await term.keys('-l', `${PASSPHRASE}!`)
    await term.keys('Enter')
    const done = await term.until('exit=')
    expect(done).toContain('hush: The two passphrases differ: run the command again.')
    expect(done).toContain('exit=2')
    expect(term.screens.join('\n')).not.toContain(PASSPHRASE)
    const status = await t.json<Status>(['daemon', 'status'])
    expect(status.keyring).toBe('os')
    expect(await t.json<unknown[]>(['secrets', 'list'])).toEqual([])
    expect(await cachedEntryId((await storeIdOf(t))!)).toBeUndefined()
  }, 120_000)

  it('without a terminal, a one-line error names both ways out; nothing is stored', async () => {
    const t = home()
    const result = await t.hush(['secrets', 'new', 'first', 'K=v'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim().split('\n')).toEqual([
      'hush: The OS keyring is not reachable (no D-Bus session bus): start a Secret Service such as gnome-keyring in your D-Bus session, or run `hush init --keyring passphrase`.',
    ])
    expect(await t.json<unknown[]>(['secrets', 'list'])).toEqual([])
    // daemon status tells the truth about the keyring.
    const status = await t.hush(['daemon', 'status'])
    expect(status.stdout).toMatch(
      /master key: OS keyring \(not reachable: no D-Bus session bus; service hush, account /,
    )
  }, 60_000)

  it('`init --passphrase-fd N` for scripts; the TTL runs out and seals the store, running agent too', async () => {
    const t = home()
    const dir = mkdtempSync(join(tmpdir(), 'hush-fd-'))
    const file = join(dir, 'pass')
    writeFileSync(file, `${PASSPHRASE}\n`, {mode: 0o600})
    // The descriptor is opened by the shell, as a provisioning script would.
    const init = await execa('bash', ['-c', `node ${BIN} init --keyring passphrase --passphrase-fd 3 3<"${file}"`], {
      env: {...t.env},
      reject: false,
      stdin: 'ignore',
    })
    expect(init.exitCode, init.stderr).toBe(0)
    expect(init.stdout).toContain('keeps the key until reboot')
    const storeId = (await storeIdOf(t))!
    await t.ok(['secrets', 'new', 'first', 'K=v'])

    // A 2-second TTL: when it runs out the kernel drops the entry and the running agent seals itself.
    await t.ok(['seal'])
    const unsealed = await t.ok(['unseal', '--ttl', '2s'], {input: PASSPHRASE})
    expect(unsealed.stdout).toMatch(/keeps the key until \d{4}-\d\d-\d\dT/)
    await waitFor(async () => (await cachedEntryId(storeId)) === undefined, 20_000)
    await waitFor(async () => (await t.json<Hello>(['daemon', 'status'])).sealed, 20_000)
    const refused = await t.hush(['secrets', 'new', 'second', 'K=v'])
    expect(errorLine(refused.stderr)).toContain('run `hush unseal` first')
    await t.ok(['daemon', 'stop'])
    const restarted = await t.hush(['secrets', 'new', 'second', 'K=v'])
    expect(errorLine(restarted.stderr)).toContain('run `hush unseal` first')
    // unseal --ttl opens it again.
    await t.ok(['unseal', '--ttl', '1h'], {input: PASSPHRASE})
    await t.ok(['secrets', 'new', 'second', 'K=v'])
    rmSync(dir, {recursive: true, force: true})
  }, 120_000)

  it('an entry that does not open this store is ignored, left as it is, and reported', async () => {
    const {t, storeId} = await passphraseStore()
    const other = await passphraseStore()
    const otherPayload = (await cachedPayload(other.storeId))!
    const payloads: Array<[string, Buffer, RegExp]> = [
      ['garbage', Buffer.from('not a key at all'), /does not hold a hush key/],
      ['another store', otherPayload, /holds the key of another store/],
      [
        'a wrong key under the right name',
        Buffer.from(`hush-unlock/v1\n${storeId}\n-\n${Buffer.alloc(32, 7).toString('base64')}\n`),
        /its key does not open this store/,
      ],
    ]
    for (const [what, payload, reason] of payloads) {
      await t.ok(['daemon', 'stop'])
      await plantEntry(storeId, payload)
      const refused = await t.hush(['secrets', 'new', 'x', 'K=v'])
      expect(refused.exitCode, what).toBe(1)
      expect(errorLine(refused.stderr), what).toContain('run `hush unseal` first')
      const status = await t.json<Status>(['daemon', 'status'])
      expect(status.sealed, what).toBe(true)
      expect(status.keyringStatus.unlockCache.state, what).toBe('invalid')
      expect(status.unlockCache.problem, what).toMatch(reason)
      const human = await t.hush(['daemon', 'status'])
      expect(human.stdout, what).toContain('sealed (run `hush unseal`)')
      // Nothing was overwritten: the entry holds what was planted.
      expect((await cachedPayload(storeId))?.equals(payload), what).toBe(true)
    }
    // The other store still opens with its own entry; this one opens with its passphrase, whose key replaces the entry.
    await other.t.ok(['daemon', 'stop'])
    await other.t.ok(['secrets', 'new', 'y', 'K=v'])
    await t.ok(['unseal'], {input: PASSPHRASE})
    expect((await cachedPayload(storeId))?.toString('utf8').split('\n')[1]).toBe(storeId)
  }, 180_000)

  it('keeps working when the entry is removed under a running agent; the next start asks', async () => {
    const {t, storeId} = await passphraseStore()
    const id = (await cachedEntryId(storeId))!
    expect((await execa('keyctl', ['invalidate', id], {reject: false})).exitCode).toBe(0)
    await t.ok(['secrets', 'new', 'still', 'K=v'])
    await t.ok(['daemon', 'stop'])
    const refused = await t.hush(['secrets', 'new', 'again', 'K=v'])
    expect(errorLine(refused.stderr)).toContain('run `hush unseal` first')
  }, 60_000)

  it('says so when keyctl is missing, and keeps the old behaviour (unsealed until the agent stops)', async () => {
    const t = home()
    const noKeyctl = {PATH: join(t.home, 'empty-path')}
    const init = await t.hush(['init', '--keyring', 'passphrase'], {input: PASSPHRASE, env: noKeyctl})
    expect(init.exitCode, init.stderr).toBe(0)
    expect(init.stdout).toContain(
      'the kernel keyring cannot keep the key (`keyctl` is not installed (apt-get install keyutils))',
    )
    await t.ok(['secrets', 'new', 'first', 'K=v'], {env: noKeyctl})
    const doctor = await t.hush(['doctor'], {env: noKeyctl})
    expect(doctor.stdout).toContain('warn unlock cache: the kernel keyring cannot keep the key')
    expect(doctor.stdout).toContain('fix: apt-get install keyutils')
    await t.ok(['daemon', 'stop'], {env: noKeyctl})
    expect(errorLine((await t.hush(['secrets', 'list'], {env: noKeyctl})).stderr)).toContain('run `hush unseal` first')
  }, 60_000)

  it('refuses bad input with one line and stores nothing', async () => {
    const t = home()
    const cases: Array<[string[], string | undefined, number, string]> = [
      [['init', '--keyring', 'passphrase', '--ttl', 'soon'], PASSPHRASE, 2, '--ttl takes a duration such as 30m'],
      [['init', '--keyring', 'passphrase', '--ttl', '0h'], PASSPHRASE, 2, '--ttl takes a duration'],
      [['init', '--keyring', 'passphrase', '--passphrase-fd', '57'], undefined, 2, 'descriptor 57 is not open'],
      [['init', '--keyring', 'passphrase'], '', 2, 'No passphrase on standard input'],
      [
        ['init', '--keyring', 'os', '--ttl', '1h'],
        undefined,
        2,
        '--ttl and --passphrase-fd go with --keyring passphrase',
      ],
    ]
    for (const [args, input, code, message] of cases) {
      const result = await t.hush(args, input === undefined ? {} : {input})
      expect(result.exitCode, args.join(' ')).toBe(code)
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(result.stderr, args.join(' ')).toContain(message)
    }
    // Nothing stored: still a new store in OS keyring mode, with no kernel keyring entry.
    const status = await t.json<Status>(['daemon', 'status'])
    expect(status.keyring).toBe('os')
    expect(await cachedEntryId((await storeIdOf(t))!)).toBeUndefined()
    const {t: sealedStore} = await passphraseStore()
    await sealedStore.ok(['seal'])
    const badTtl = await sealedStore.hush(['unseal', '--ttl', '12 hours'], {input: PASSPHRASE})
    expect(badTtl.exitCode).toBe(2)
    expect((await sealedStore.json<Hello>(['daemon', 'status'])).sealed).toBe(true)
  }, 120_000)
})
