// Passphrase mode end to end with no D-Bus at all in the CLI's (and so the agent's) environment:
// init, store, seal, refused while sealed, wrong passphrase, unseal, kill -9 -> sealed again.
// Also: the OS-keyring error without a keyring, and switching an existing store between modes.
import {readFileSync, statSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'
import type {CreateSecretOutput, Hello, InitOutput, RotateSecretOutput, SecretInfo} from '../../../src/api/contract.js'
import Audit from '../../../src/commands/audit.js'
import SecretsDelete from '../../../src/commands/secrets/delete.js'
import SecretsList from '../../../src/commands/secrets/list.js'
import SecretsNew from '../../../src/commands/secrets/new.js'
import SecretsRotate from '../../../src/commands/secrets/rotate.js'
import {resolvePaths} from '../../../src/config/paths.js'
import {
  filesUnder,
  isAlive,
  makeHome,
  onTerminal,
  rawRequest,
  type TestHome,
  waitFor,
  withoutSessionBus,
} from '../../support/helpers.js'
import {type CommandClass, runAgainstStore} from '../../support/in-process.js'

const PASSPHRASE = 'correct horse battery staple'
const SENTINEL = 'sentinel-value-5d1c0a7e9b'

const saved = withoutSessionBus()

const homes: TestHome[] = []
function home(): TestHome {
  const t = makeHome()
  homes.push(t)
  return t
}
afterEach(async () => {
  await Promise.all(homes.splice(0).map((t) => t.cleanup()))
})

function agentEnv(pid: number): string {
  return readFileSync(`/proc/${pid}/environ`, 'utf8')
}

/** Every file under `dir`, for "never on disk" checks. */
describe('passphrase mode without D-Bus', () => {
  it('inits, stores, seals, refuses while sealed, rejects a wrong passphrase, unseals, opens from the kernel keyring after kill -9 until `seal`', async () => {
    const t = home()
    const init = await t.json<InitOutput>(['init', '--keyring', 'passphrase'], {input: `${PASSPHRASE}\n`})
    expect(init).toMatchObject({keyring: 'passphrase', action: 'created', sealed: false})
    const pid = t.agentPid()!
    expect(agentEnv(pid)).not.toContain('DBUS_SESSION_BUS_ADDRESS=')

    const created = await t.json<CreateSecretOutput>(['secrets', 'new', 'db', `PASSWORD=${SENTINEL}`, 'USER=app'])
    expect(created.secret.version).toBe(1)
    const status = await t.hush(['daemon', 'status'])
    expect(status.stdout).toContain('master key: passphrase, unsealed')

    const sealed = await t.hush(['seal'])
    expect(sealed.exitCode).toBe(0)
    expect(sealed.stdout).toContain('Sealed')
    expect((await t.json<Hello>(['daemon', 'status'])).sealed).toBe(true)
    expect((await t.hush(['daemon', 'status'])).stdout).toContain('sealed (run `hush unseal`)')

    // Refused while sealed: the CLI says what to do, the API answers 503 `sealed`. The binary for
    // one command, the others in-process against the same sealed agent (only its answer differs).
    const refusedByBinary = await t.hush(['secrets', 'list'])
    expect(refusedByBinary.exitCode).toBe(1)
    expect(refusedByBinary.stderr).toContain('run `hush unseal`')
    for (const [Command, argv] of [
      [SecretsNew, ['other', 'A=1']],
      [SecretsRotate, ['db', 'USER=x']],
      [SecretsDelete, ['db']],
      [Audit, []],
    ] satisfies Array<[CommandClass, string[]]>) {
      const refused = await runAgainstStore(t, Command, argv)
      expect(refused.exitCode, `${Command.name} ${argv.join(' ')}`).toBe(1)
      expect(refused.stderr).toContain('run `hush unseal`')
    }
    const listJson = await runAgainstStore(t, SecretsList, ['--json'])
    expect(JSON.parse(listJson.stdout).error.code).toBe('sealed')
    const raw = await rawRequest(t.socket, 'GET', '/v1/secrets')
    expect(raw.status).toBe(503)
    expect(raw.json).toMatchObject({error: {code: 'sealed'}})
    const rawPost = await rawRequest(t.socket, 'POST', '/v1/secrets', JSON.stringify({name: 'x', values: {A: 'zz'}}))
    expect(rawPost.status).toBe(503)

    // A wrong passphrase is refused and the store stays sealed.
    const wrong = await t.hush(['unseal'], {input: 'not the passphrase\n'})
    expect(wrong.exitCode).toBe(1)
    expect(wrong.stderr).toContain('Wrong passphrase')
    expect((await t.json<Hello>(['daemon', 'status'])).sealed).toBe(true)
    expect((await t.hush(['secrets', 'list'])).exitCode).toBe(1)
    const empty = await t.hush(['unseal'])
    expect(empty.exitCode).toBe(2)
    expect(empty.stderr).toContain('No passphrase')

    const unsealed = await t.hush(['unseal'], {input: `${PASSPHRASE}\n`})
    expect(unsealed.exitCode).toBe(0)
    expect(unsealed.stdout).toContain('Unsealed')
    expect((await t.hush(['unseal'], {input: `${PASSPHRASE}\n`})).stdout).toContain('already unsealed')
    const listed = await t.json<SecretInfo[]>(['secrets', 'list'])
    expect(listed.map((s) => s.name)).toEqual(['db'])
    // rotate decrypts the kept values and encrypts them again: the data key really is back.
    const rotated = await t.json<RotateSecretOutput>(['secrets', 'rotate', 'db', 'USER=app2'])
    expect(rotated.secret.version).toBe(2)
    expect(t.agentPid()).toBe(pid)

    const events = (await t.json<Array<{event: string}>>(['audit'])).map((e) => e.event)
    expect(events).toEqual(['store.initialized', 'secret.created', 'store.sealed', 'store.unsealed', 'secret.rotated'])

    // kill -9: the agent that starts next opens the store from the kernel keyring, without asking.
    process.kill(pid, 'SIGKILL')
    await waitFor(() => !isAlive(pid), 10_000)
    expect((await t.json<SecretInfo[]>(['secrets', 'list'])).map((s) => s.name)).toEqual(['db'])
    const reopened = await t.json<Hello>(['daemon', 'status'])
    expect(reopened.pid).not.toBe(pid)
    expect(reopened).toMatchObject({keyring: 'passphrase', sealed: false})
    // After `seal` the kernel keyring holds nothing: the agent after the next kill -9 is sealed.
    await t.hush(['seal'])
    process.kill(reopened.pid, 'SIGKILL')
    await waitFor(() => !isAlive(reopened.pid), 10_000)
    const afterKill = await t.hush(['secrets', 'list'])
    expect(afterKill.exitCode).toBe(1)
    expect(afterKill.stderr).toContain('run `hush unseal`')
    const hello = await t.json<Hello>(['daemon', 'status'])
    expect(hello.pid).not.toBe(reopened.pid)
    expect(hello).toMatchObject({keyring: 'passphrase', sealed: true})
    expect((await t.hush(['unseal'], {input: PASSPHRASE})).exitCode).toBe(0)
    const rotatedAgain = await t.json<RotateSecretOutput>(['secrets', 'rotate', 'db', 'USER=app3'])
    expect(rotatedAgain.secret.version).toBe(3)

    // Neither the passphrase nor a value is written anywhere: store, WAL, log, config, runtime dir.
    const paths = resolvePaths({...process.env, ...t.env})
    for (const file of [...filesUnder(t.home), ...filesUnder(paths.runtimeDir)]) {
      if (statSync(file).isSocket()) continue
      const bytes = readFileSync(file)
      expect(bytes.includes(PASSPHRASE), file).toBe(false)
      expect(bytes.includes(SENTINEL), file).toBe(false)
    }
  }, 240_000)

  it('refuses a too short passphrase (the store stays in OS keyring mode: nothing to seal)', async () => {
    const t = home()
    const short = await t.hush(['init', '--keyring', 'passphrase'], {input: 'short\n'})
    expect(short.exitCode).toBe(2)
    expect(short.stderr).toContain('8 to 1024 bytes')
    expect((await t.json<Hello>(['daemon', 'status'])).keyring).toBe('os')
    await t.hush(['daemon', 'stop'])
    const seal = await t.hush(['seal'])
    expect(seal.exitCode).toBe(1)
    expect(seal.stderr).toContain('nothing to seal')
  })

  it('says what is missing and both fixes when the OS keyring mode has no D-Bus', async () => {
    const t = home()
    const noBus = await t.hush(['secrets', 'new', 'a', 'A=1'])
    expect(noBus.exitCode).toBe(1)
    expect(noBus.stderr).toContain('The OS keyring is not reachable (no D-Bus session bus)')
    expect(noBus.stderr).toContain('gnome-keyring')
    expect(noBus.stderr).toContain('hush init --keyring passphrase')
    const json = JSON.parse((await t.hush(['init', '--json'])).stdout)
    expect(json.error.code).toBe('keyring_unavailable')
    await t.hush(['daemon', 'stop'])

    // A bus address that points nowhere: the same clear error, and nothing hangs.
    const nowhere = await t.hush(['secrets', 'new', 'a', 'A=1'], {
      env: {DBUS_SESSION_BUS_ADDRESS: `unix:path=${t.home}/no-bus`},
    })
    expect(nowhere.exitCode).toBe(1)
    expect(nowhere.stderr).toMatch(/The OS keyring is not reachable \(the D-Bus session bus \S+ does not answer\)/)
    expect(nowhere.stderr).toContain('hush init --keyring passphrase')
    // seal / unseal in OS mode explain themselves.
    const unseal = await t.hush(['unseal'], {input: PASSPHRASE, env: {DBUS_SESSION_BUS_ADDRESS: `unix:path=/nope`}})
    expect(unseal.exitCode).toBe(1)
    expect(unseal.stderr).toContain('nothing to unseal')
  }, 120_000)
})

describe('passphrase prompts on a terminal', () => {
  it('asks twice without echo at init, once at unseal', async () => {
    const t = home()
    const secret = 'terminal passphrase 42'
    const init = await onTerminal(
      t,
      ['init', '--keyring', 'passphrase'],
      [
        ['New passphrase (hidden):', secret],
        ['Repeat the passphrase:', secret],
      ],
    )
    expect(init.output).toContain('Initialised this store in passphrase mode')
    expect(init.output).not.toContain(secret)
    await t.hush(['seal'])
    const unseal = await onTerminal(t, ['unseal'], [['Passphrase (hidden):', secret]])
    expect(unseal.output).toContain('Unsealed')
    expect(unseal.output).not.toContain(secret)
    expect((await t.json<Hello>(['daemon', 'status'])).sealed).toBe(false)
  }, 120_000)
})

describe('switching an existing store between modes', () => {
  it('re-wraps the data key: OS keyring -> passphrase -> OS keyring, every secret kept', async () => {
    // This test needs the real keyring: the bus address that scripts/test.sh set up.
    expect(saved.bus, 'run the tests with `npm test` (a D-Bus session with gnome-keyring)').toBeTruthy()
    const t = home()
    const bus = {DBUS_SESSION_BUS_ADDRESS: saved.bus!, GNOME_KEYRING_CONTROL: saved.control ?? ''}
    const created = await t.hush(['secrets', 'new', 'k', `A=${SENTINEL}`], {env: bus})
    expect(created.exitCode, created.stderr).toBe(0)
    // Switching needs the keyring once (it holds the key that wraps the data key): without it, say so.
    await t.hush(['daemon', 'stop'], {env: bus})
    const noKeyring = await t.hush(['init', '--keyring', 'passphrase'], {input: `${PASSPHRASE}\n`})
    expect(noKeyring.exitCode).toBe(1)
    expect(noKeyring.stderr).toContain('switching to a passphrase needs it once')
    await t.hush(['daemon', 'stop'])
    const toPass = await t.json<InitOutput>(['init', '--keyring', 'passphrase'], {input: `${PASSPHRASE}\n`, env: bus})
    expect(toPass).toMatchObject({keyring: 'passphrase', action: 'rewrapped', sealed: false})
    await t.hush(['daemon', 'stop'], {env: bus})
    // The next agent, without D-Bus, opens the store from the kernel keyring: no unseal needed.
    expect((await t.hush(['secrets', 'list'])).exitCode).toBe(0)
    expect((await t.json<Hello>(['daemon', 'status'])).sealed).toBe(false)
    await t.hush(['seal'])
    await t.hush(['daemon', 'stop'])

    // Now no keyring is needed: a fresh agent without D-Bus is sealed and opens with the passphrase.
    const sealedList = await t.hush(['secrets', 'list'])
    expect(sealedList.stderr).toContain('run `hush unseal`')
    expect((await t.json<Hello>(['daemon', 'status'])).keyring).toBe('passphrase')
    expect((await t.hush(['unseal'], {input: PASSPHRASE})).exitCode).toBe(0)
    expect((await t.json<RotateSecretOutput>(['secrets', 'rotate', 'k', 'B=2'])).secret.version).toBe(2)
    const again = await t.json<InitOutput>(['init', '--keyring', 'passphrase'])
    expect(again.action).toBe('unchanged')
    await t.hush(['seal'])
    const sealedSwitch = await t.hush(['init', '--keyring', 'os'])
    expect(sealedSwitch.exitCode).toBe(1)
    expect(sealedSwitch.stderr).toContain('hush unseal')
    await t.hush(['daemon', 'stop'])

    expect((await t.hush(['unseal'], {input: PASSPHRASE, env: bus})).exitCode).toBe(0)
    const toOs = await t.json<InitOutput>(['init', '--keyring', 'os'], {env: bus})
    expect(toOs).toEqual({keyring: 'os', action: 'rewrapped', sealed: false})
    await t.hush(['daemon', 'stop'], {env: bus})
    const rotated = await t.json<RotateSecretOutput>(['secrets', 'rotate', 'k', 'C=3'], {env: bus})
    expect(rotated.secret.keys).toEqual(['A', 'B', 'C'])
    const unseal = await t.hush(['unseal'], {input: PASSPHRASE, env: bus})
    expect(unseal.stderr).toContain('nothing to unseal')
    const events = (await t.json<Array<{event: string}>>(['audit'], {env: bus})).map((e) => e.event)
    expect(events.filter((e) => e.startsWith('store.'))).toEqual([
      'store.rewrapped',
      'store.unsealed',
      'store.sealed',
      'store.unsealed',
      'store.sealed',
      'store.unsealed',
      'store.rewrapped',
    ])
  }, 240_000)
})
