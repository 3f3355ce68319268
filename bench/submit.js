// Submit benchmark: `hush submit IMAGE -- true` (warm agent) against `docker run -d --env-file F
// IMAGE true`, alternated runs, medians; every container made here is removed. The image is built
// by scripts/test-image.sh when the engine does not have it.
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {routes} from '../dist/api/contract.js'
import {compareRuns, ROOT, row, startStore, VARIANTS} from './common.js'

/** The aim (issue 6) is at most 1.3x plain `docker run`. */
export async function benchSubmit({runs = 9, image = 'hush-test/busybox'} = {}) {
  const built = spawnSync('bash', [join(ROOT, 'scripts', 'test-image.sh')], {stdio: ['ignore', 'inherit', 'inherit']})
  if (built.status !== 0) throw new Error('scripts/test-image.sh could not build the test image')
  const store = await startStore()
  const envFile = join(store.home, 'bench.env')
  writeFileSync(envFile, 'BENCH=1\n', {mode: 0o600})
  const label = `hush-bench=${process.pid}`
  const variant = VARIANTS.bundle
  try {
    const times = compareRuns(
      ['docker', ['run', '-d', '--env-file', envFile, '--label', label, image, 'true']],
      [variant.file, [...variant.args, 'submit', image, '--', 'true'], {...store.env, ...variant.env}],
      runs,
    )
    return [row(`${variant.label} submit ${image} -- true (warm agent)`, 'docker run -d --env-file', times, 1.3)]
  } finally {
    const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=${label}`], {encoding: 'utf8'})
      .stdout.split('\n')
      .filter(Boolean)
    const deployments = await store.call(routes.listDeployments, {}).catch(() => [])
    for (const deployment of deployments) if (deployment.containerId) ids.push(deployment.containerId)
    if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], {stdio: 'ignore'})
    await store.stop()
  }
}
