// `hush init [--keyring os|passphrase]`: choose where this store's master key comes from. Switching
// mode keeps the data key and only re-wraps it under the new master key.
import {Flags} from '@oclif/core'
import type {InitOutput, KeyringMode} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {HushCommand, usage} from '../cli/base.js'
import {initPassphrase} from '../cli/headless.js'
import {changePassphrase, rotateKey} from '../cli/key-change.js'
import {readPassphrase} from '../cli/passphrase.js'
import {describeUnlockCache} from '../cli/unlock-cache.js'
import {checkTtlFlag, unlockFlags} from '../cli/unlock-flags.js'

export default class Init extends HushCommand {
  static override summary = "Choose where this store's master key is kept: the OS keyring or a passphrase."
  static override description =
    `The OS keyring (default) keeps a random master key in the Secret Service (service hush).
Passphrase mode derives it (Argon2id) from a passphrase that is never stored: the agent starts sealed, and \`hush unseal\` opens it. Use it where no keyring answers (headless machines, CI).
The passphrase is read without echo on a terminal (typed twice), from --passphrase-fd N, or from standard input; never from an argument or the environment. The unlocked key is kept in the Linux kernel keyring until reboot (or --ttl, or \`hush seal\`), so later agents open the store without asking. Switching an existing store keeps every secret: only the data key's wrapping changes (a passphrase store must be unsealed first).`
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --keyring passphrase',
    '<%= config.bin %> init --keyring passphrase --passphrase-fd 3 3< passphrase-file',
    '<%= config.bin %> init --keyring passphrase --ttl 12h < passphrase-file',
    '<%= config.bin %> init --change-passphrase',
    '<%= config.bin %> init --rotate-key',
  ]
  static override flags = {
    keyring: Flags.string({
      description: 'where the master key is kept',
      options: ['os', 'passphrase'],
      default: 'os',
    }),
    ...unlockFlags,
    // Key changes (see cli/key-change.ts); --passphrase-fd gives the current passphrase.
    'change-passphrase': Flags.boolean({
      description: 'passphrase mode: set a new passphrase',
      exclusive: ['rotate-key'],
    }),
    'rotate-key': Flags.boolean({description: 'a new data key, every value re-encrypted'}),
    'new-passphrase-fd': Flags.integer({
      description: 'with --change-passphrase: read the new passphrase from this descriptor',
    }),
  }

  async run(): Promise<InitOutput | object> {
    const {flags} = await this.parse(Init)
    if (flags['change-passphrase'] || flags['rotate-key']) {
      const fds = {passphraseFd: flags['passphrase-fd'], newPassphraseFd: flags['new-passphrase-fd']}
      const change = flags['change-passphrase'] ? changePassphrase : rotateKey
      const {message, ...result} = await change(await this.hush(), fds, this.io)
      this.log(message)
      return result
    }
    const mode = flags.keyring as KeyringMode
    const ttl = checkTtlFlag(flags.ttl)
    if (mode === 'os' && (ttl !== undefined || flags['passphrase-fd'] !== undefined)) {
      throw usage('--ttl and --passphrase-fd go with --keyring passphrase.')
    }
    const hush = await this.hush()
    const {hello} = await hush.connection()
    let result: InitOutput
    if (mode === 'os') {
      if (hello.keyring === 'passphrase' && hello.sealed) throw sealedFirst()
      result = await hush.init('os')
    } else if (hello.keyring === 'passphrase') {
      result = {keyring: 'passphrase', action: 'unchanged', sealed: hello.sealed}
    } else {
      const passphrase = await readPassphrase({confirm: true, fd: flags['passphrase-fd'], io: this.io})
      result = await initPassphrase(hush, passphrase, ttl)
    }
    this.log(describe(result))
    return result
  }
}

function sealedFirst(): HushError {
  return new HushError('sealed', 'The store is sealed: run `hush unseal` first, then switch it to the OS keyring.')
}

function describe(result: InitOutput): string {
  const where = result.keyring === 'os' ? 'the OS keyring (service hush)' : 'passphrase mode'
  if (result.action === 'unchanged') return `This store already uses ${where}: nothing changed.`
  if (result.keyring === 'os') {
    return result.action === 'created'
      ? 'Initialised this store: its master key is in the OS keyring (service hush).'
      : 'Switched this store to the OS keyring: every secret kept, its data key now wrapped by a new master key in the keyring (service hush).'
  }
  const intro =
    result.action === 'created'
      ? 'Initialised this store in passphrase mode.'
      : 'Switched this store to passphrase mode: every secret kept, its data key now wrapped by your passphrase; the OS keyring entry was removed.'
  return `${intro} It is unsealed now: ${describeUnlockCache(result.unlockCache)}. The passphrase is stored nowhere: if it is lost, so are the secrets.`
}
