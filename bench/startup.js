// Start-up benchmarks: `hush secrets list` against a warm agent holding 100 secrets, compared with
// a bare `node -e 0` (and `docker ps`), for the bundle (bin/run.js), the unbundled files and the
// executable; `hush --version`, the floor of every command.
import {join} from 'node:path'
import {binaryBuilt, compareRuns, fillSecrets, ROOT, row, startStore, VARIANTS} from './common.js'

const NODE = [process.execPath, ['-e', '0']]
/** The floor of `secrets list` (issue 26): connect, one GET /v1/secrets, the table; nothing else. */
const floor = (store) => [process.execPath, [join(ROOT, 'bench', 'floor-list.mjs'), store.paths.socket]]

/** The ways of running hush asked for that exist here (the executable only once built). */
function present(variants) {
  return variants.filter((name) => name !== 'binary' || binaryBuilt()).map((name) => VARIANTS[name])
}

/**
 * `hush secrets list` (warm agent, `secrets` secrets) vs `node -e 0`: one row per way of running hush,
 * plus the bundle vs `docker ps`. The aim (issue 6) is at most 1.5x bare node.
 */
export async function listVsNode({runs = 15, secrets = 100, variants = ['bundle', 'unbundled', 'binary']} = {}) {
  const store = await startStore()
  try {
    await fillSecrets(store, secrets)
    const rows = []
    const list = (variant) => [variant.file, [...variant.args, 'secrets', 'list'], {...store.env, ...variant.env}]
    for (const variant of present(variants)) {
      const label = `${variant.label} secrets list (${secrets} secrets, warm agent)`
      rows.push(row(label, 'node -e 0', compareRuns(NODE, list(variant), runs), 1.5))
    }
    const bundle = list(VARIANTS.bundle)
    const label = `${VARIANTS.bundle.label} secrets list (${secrets} secrets, warm agent)`
    rows.push(row(label, 'docker ps', compareRuns(['docker', ['ps']], bundle, runs)))
    return rows
  } finally {
    await store.stop()
  }
}

/**
 * The hot read paths against the floor script (bench/floor-list.mjs), warm agent with `secrets`
 * secrets: `secrets list` per way of running hush, and `complete secrets` (what shell completion
 * runs on every Tab) through bin/run.js. The aim (issue 26) is at most 1.5x the floor for both.
 */
export async function listVsFloor({runs = 15, secrets = 100, variants = ['bundle', 'binary']} = {}) {
  const store = await startStore()
  try {
    await fillSecrets(store, secrets)
    const rows = []
    const run = (variant, args) => [variant.file, [...variant.args, ...args], {...store.env, ...variant.env}]
    for (const variant of present(variants)) {
      const label = `${variant.label} secrets list (${secrets} secrets, warm agent)`
      rows.push(row(label, 'floor-list.mjs', compareRuns(floor(store), run(variant, ['secrets', 'list']), runs), 1.5))
    }
    const label = `${VARIANTS.bundle.label} complete secrets (${secrets} secrets, warm agent)`
    const complete = run(VARIANTS.bundle, ['complete', 'secrets'])
    rows.push(row(label, 'floor-list.mjs', compareRuns(floor(store), complete, runs), 1.5))
    return rows
  } finally {
    await store.stop()
  }
}

/** `hush --version` (oclif up, no agent) vs `node -e 0`. */
export async function versionVsNode({runs = 15, variants = ['bundle', 'unbundled', 'binary']} = {}) {
  return present(variants).map((variant) =>
    row(
      `${variant.label} --version`,
      'node -e 0',
      compareRuns(NODE, [variant.file, [...variant.args, '--version'], variant.env], runs),
    ),
  )
}
