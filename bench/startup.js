// Start-up benchmarks: `hush secrets list` against a warm agent holding 100 secrets, compared with
// a bare `node -e 0`, for the bundle (bin/run.js), the unbundled files and the executable.
import {binaryBuilt, compareRuns, fillSecrets, row, startStore, VARIANTS} from './common.js'

/**
 * `hush secrets list` (warm agent, `secrets` secrets) vs `node -e 0`: one row per way of running hush.
 * The aim (issue 6) is at most 1.5x bare node.
 */
export async function listVsNode({runs = 15, secrets = 100, variants = ['bundle', 'unbundled', 'binary']} = {}) {
  const store = await startStore()
  try {
    await fillSecrets(store, secrets)
    const rows = []
    for (const name of variants) {
      const variant = VARIANTS[name]
      if (name === 'binary' && !binaryBuilt()) continue
      const times = compareRuns(
        [process.execPath, ['-e', '0']],
        [variant.file, [...variant.args, 'secrets', 'list'], {...store.env, ...variant.env}],
        runs,
      )
      rows.push(row(`${variant.label} secrets list (${secrets} secrets, warm agent)`, 'node -e 0', times, 1.5))
    }
    return rows
  } finally {
    await store.stop()
  }
}

/** `hush --version` (oclif up, no agent) vs `node -e 0`: the floor of every command. */
export async function versionVsNode({runs = 15, variants = ['bundle', 'unbundled', 'binary']} = {}) {
  const rows = []
  for (const name of variants) {
    const variant = VARIANTS[name]
    if (name === 'binary' && !binaryBuilt()) continue
    const times = compareRuns(
      [process.execPath, ['-e', '0']],
      [variant.file, [...variant.args, '--version'], variant.env],
      runs,
    )
    rows.push(row(`${variant.label} --version`, 'node -e 0', times))
  }
  return rows
}
