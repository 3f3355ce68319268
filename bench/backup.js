// Backup benchmarks with 10,000 secrets, each a whole CLI command as a user runs it against a warm
// agent: `hush backup FILE`, `hush restore FILE` into a new store, `hush init --rotate-key`.
// Aim (issue 15): under 5 s each for backup and restore on these machines.
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {routes} from '../dist/api/contract.js'
import {BIN, fillSecrets, startStore, VARIANTS, valueRow} from './common.js'

const PASSPHRASE = 'bench backup passphrase'

/** Seconds taken by `hush ...args` (passphrase on standard input) against `store`'s agent. */
function seconds(store, args) {
  const started = performance.now()
  const result = spawnSync(process.execPath, [BIN, ...args], {env: store.env, input: `${PASSPHRASE}\n`})
  const s = (performance.now() - started) / 1000
  if (result.status !== 0) throw new Error(`hush ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return s
}

export async function backupRestoreRotate({secrets = 10_000} = {}) {
  const source = await startStore(VARIANTS.bundle)
  const target = await startStore(VARIANTS.bundle)
  try {
    await fillSecrets(source, secrets)
    const file = join(source.home, 'bench.backup')
    const backup = seconds(source, ['backup', file])
    const restore = seconds(target, ['restore', file])
    const restored = (await target.call(routes.listSecrets, {})).length
    if (restored !== secrets) throw new Error(`restored ${restored} secrets, expected ${secrets}`)
    const rotate = seconds(source, ['init', '--rotate-key'])
    return [
      valueRow(`hush backup FILE, ${secrets} secrets (whole command)`, backup, 's', '< 5 s', backup < 5),
      valueRow(`hush restore FILE into a new store, ${secrets} secrets`, restore, 's', '< 5 s', restore < 5),
      valueRow(`hush init --rotate-key, ${secrets} secrets re-encrypted`, rotate, 's', '< 5 s', rotate < 5),
    ]
  } finally {
    await source.stop()
    await target.stop()
  }
}
