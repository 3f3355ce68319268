#!/usr/bin/env node
// hush's benchmarks (not tests): each measures hush and a baseline side by side in this one run
// (medians of alternated runs) or one figure with its aim, and the whole run ends with one table.
// Run `npm run bench`, or `npm run bench -- NAME...` for some of them. Each benchmark that ran
// without failing replaces its figures in docs/benchmarks.json (`npm run docs` renders them into
// docs/benchmarks.md); `--no-record` leaves the file alone.
//
// hush needs the OS keyring, so this script re-runs itself inside scripts/with-keyring.sh (a private
// D-Bus session with an unlocked gnome-keyring, as `npm test` uses) unless it already runs in one.
// Add a benchmark: an async function returning rows (common.js: row, valueRow), listed in `benchmarks`.
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {cells, HEADER, RESULTS_FILE, recordResults} from './report.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

if (!process.env.HUSH_KEYRING_SESSION) {
  const script = join(ROOT, 'scripts', 'with-keyring.sh')
  const result = spawnSync(
    'bash',
    [script, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  )
  process.exit(result.status ?? 1)
}

/** Every benchmark, in the order they run; loaded only once the build is there (they import dist/). */
const benchmarks = {
  'version-vs-node': async () => (await import('./startup.js')).versionVsNode(),
  'list-vs-node': async () => (await import('./startup.js')).listVsNode(),
  'list-vs-floor': async () => (await import('./startup.js')).listVsFloor(),
  'submit-vs-docker': async () => (await import('./submit.js')).benchSubmit(),
  'swarm-rotation': async () => (await import('./swarm.js')).benchSwarmRotation(),
  'agent-cold-start': async () => (await import('./agent.js')).agentColdStart(),
  'open-from-kernel-keyring': async () => (await import('./agent.js')).agentOpenFromKernelKeyring(),
  'writes-per-second': async () => (await import('./agent.js')).writesPerSecond(),
  'agent-10k': async () => (await import('./agent.js')).agentWith10k(),
  'backup-10k': async () => (await import('./backup.js')).backupRestoreRotate(),
}

function ensureBuilt() {
  const built = ['dist/index.js', 'dist/bundle/hush.js', 'oclif.manifest.json'].every((file) =>
    existsSync(join(ROOT, file)),
  )
  if (built) return
  const build = spawnSync('npm', ['run', '--silent', 'build'], {cwd: ROOT, stdio: 'inherit'})
  if (build.status !== 0) process.exit(build.status ?? 1)
}

function printTable(lines) {
  const header = HEADER
  const all = [header, ...lines]
  const widths = header.map((_, i) => Math.max(...all.map((line) => line[i].length)))
  const format = (line) => `| ${line.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`
  console.log(format(header))
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
  for (const line of lines) console.log(format(line))
}

async function main() {
  const record = !process.argv.includes('--no-record')
  const wanted = process.argv.slice(2).filter((arg) => arg !== '--no-record')
  const unknown = wanted.filter((name) => !(name in benchmarks))
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`)
    process.exit(2)
  }
  ensureBuilt()
  const {version} = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  const started = new Date()
  const lines = []
  const measured = []
  let failed = false
  for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
    const t0 = performance.now()
    let rows
    try {
      rows = await benchmarks[name]()
    } catch (error) {
      failed = true
      rows = [{label: name, error: String(error?.message ?? error).split('\n')[0]}]
    }
    measured.push({name, rows})
    for (const row of rows) lines.push(cells({...row, label: `[${name}] ${row.label}`}))
    console.error(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  }
  console.log(`\nhush ${version} benchmarks - node ${process.version}, ${started.toISOString()}\n`)
  printTable(lines)
  if (record) {
    recordResults(measured, {hush: version, node: process.version, at: started.toISOString()}, Object.keys(benchmarks))
    console.log(
      `\nResults written to ${fileURLToPath(RESULTS_FILE)}: \`npm run docs\` renders them into docs/benchmarks.md.`,
    )
  }
  if (failed) process.exit(1)
}

await main()
