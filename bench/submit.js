// Benchmark (not a test): `hush submit IMAGE -- true` against `docker run -d --env-file F IMAGE true`,
// a few runs each with a warm agent, median wall time; every container made here is removed.
// Call: `import {benchSubmit} from './submit.js'; console.log(await benchSubmit())`, or run this file.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function timed(file, args, env) {
  const started = process.hrtime.bigint()
  const result = spawnSync(file, args, {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${result.stderr}`)
  return {ms, stdout: result.stdout.trim()}
}

/**
 * @param {{runs?: number, image?: string}} [options]
 * @returns {Promise<{image: string, runs: number, hushMs: number, dockerMs: number, ratio: number, hushRuns: number[], dockerRuns: number[]}>}
 */
export async function benchSubmit({runs = 5, image = 'hush-test/busybox'} = {}) {
  const home = mkdtempSync(join(tmpdir(), 'hush-bench-'))
  const env = {...process.env, HUSH_HOME: home, HUSH_IDLE_TIMEOUT: '60'}
  const envFile = join(home, 'bench.env')
  writeFileSync(envFile, 'BENCH=1\n', {mode: 0o600})
  const label = `hush-bench=${process.pid}`
  const hushRuns = []
  const dockerRuns = []
  try {
    // A warm agent, as after any first command.
    timed(process.execPath, [BIN, 'daemon', 'start'], env)
    for (let i = 0; i < runs; i++) {
      hushRuns.push(timed(process.execPath, [BIN, 'submit', image, '--', 'true'], env).ms)
      dockerRuns.push(timed('docker', ['run', '-d', '--env-file', envFile, '--label', label, image, 'true'], env).ms)
    }
  } finally {
    const status = spawnSync(process.execPath, [BIN, 'status', '--json'], {env, encoding: 'utf8'})
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], {encoding: 'utf8'})
      .split('\n')
      .filter(Boolean)
    try {
      for (const deployment of JSON.parse(status.stdout)) if (deployment.containerId) ids.push(deployment.containerId)
    } catch {
      // no agent answered: nothing of hush's to remove
    }
    if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], {stdio: 'ignore'})
    spawnSync(process.execPath, [BIN, 'daemon', 'stop'], {env, stdio: 'ignore'})
    rmSync(home, {recursive: true, force: true})
  }
  const hushMs = median(hushRuns)
  const dockerMs = median(dockerRuns)
  return {image, runs, hushMs, dockerMs, ratio: hushMs / dockerMs, hushRuns, dockerRuns}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchSubmit({runs: Number(process.env.BENCH_RUNS ?? 5)})
  console.log(
    `submit: hush ${result.hushMs.toFixed(0)} ms vs docker run ${result.dockerMs.toFixed(0)} ms (median of ${result.runs}; ${result.ratio.toFixed(2)}x)`,
  )
}
