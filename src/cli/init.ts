// `hush init [--keyring os|passphrase]`: choose where this store's master key comes from. Switching
// mode keeps the data key and only re-wraps it under the new master key; `--change-passphrase` and
// `--rotate-key` are cli/key-change.ts.
import type {InitOutput, KeyringMode} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {usage} from './base.js'
import type {CommandContext} from './context.js'
import {initPassphrase} from './headless.js'
import {changePassphrase, type KeyChangeFlags, rotateKey} from './key-change.js'
import {readPassphrase} from './passphrase.js'
import {describeUnlockCache} from './unlock-cache.js'
import {checkTtlFlag} from './unlock-flags.js'

export interface InitOptions extends KeyChangeFlags {
  keyring: KeyringMode
  /** `--ttl` (passphrase mode): how long the kernel keyring keeps the key. */
  ttl?: string
  changePassphrase: boolean
  rotateKey: boolean
}

export async function init(options: InitOptions, ctx: CommandContext): Promise<InitOutput | object> {
  if (options.changePassphrase || options.rotateKey) {
    const fds = {passphraseFd: options.passphraseFd, newPassphraseFd: options.newPassphraseFd}
    const change = options.changePassphrase ? changePassphrase : rotateKey
    const {message, ...result} = await change(await ctx.hush(), fds, ctx.io)
    ctx.log(message)
    return result
  }
  const mode = options.keyring
  const ttl = checkTtlFlag(options.ttl)
  if (mode === 'os' && (ttl !== undefined || options.passphraseFd !== undefined)) {
    throw usage('--ttl and --passphrase-fd go with --keyring passphrase.')
  }
  const hush = await ctx.hush()
  const {hello} = await hush.connection()
  let result: InitOutput
  if (mode === 'os') {
    if (hello.keyring === 'passphrase' && hello.sealed) throw sealedFirst()
    result = await hush.init('os')
  } else if (hello.keyring === 'passphrase') {
    result = {keyring: 'passphrase', action: 'unchanged', sealed: hello.sealed}
  } else {
    const passphrase = await readPassphrase({confirm: true, fd: options.passphraseFd, io: ctx.io})
    result = await initPassphrase(hush, passphrase, ttl)
  }
  ctx.log(describe(result))
  return result
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
