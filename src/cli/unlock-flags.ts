// The flags of the commands that read a passphrase and unlock a store: `--passphrase-fd N` and
// `--ttl DURATION` (how long the kernel keyring keeps the unlocked key), declared once.
import {Flags} from '@oclif/core'
import {parseTtl, TTL_HELP} from '../api/rules/ttl.js'
import {usage} from './base.js'

export const unlockFlags = {
  'passphrase-fd': Flags.integer({
    description: 'read the passphrase from this open file descriptor (scripts, provisioning tools)',
    min: 0,
  }),
  ttl: Flags.string({
    description: `how long later agents open the store without asking: ${TTL_HELP} (default: the unsealTtl preference, else boot)`,
  }),
}

/** The `--ttl` text checked here (a usage error, exit 2) before anything is read or sent. */
export function checkTtlFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  if (parseTtl(text) === undefined) throw usage(`--ttl takes ${TTL_HELP}, not "${text.slice(0, 40)}".`)
  return text
}
