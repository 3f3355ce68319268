// The benchmarks' results, in one shape for every reader: a row as table cells (the table
// `npm run bench` prints, and the one in docs/benchmarks.md), and the results file
// docs/benchmarks.json that a run updates and `npm run docs` renders.
import {readFileSync, writeFileSync} from 'node:fs'
import {cpus, totalmem} from 'node:os'

export const RESULTS_FILE = new URL('../docs/benchmarks.json', import.meta.url)

export const HEADER = ['benchmark', 'hush', 'baseline (same run)', 'ratio', 'aim']

/** One row as table cells: what, hush, baseline, ratio, aim (with whether it was met, and a note). */
export function cells(row) {
  if (row.error) return [row.label, 'FAILED', row.error, '', '']
  const met = row.aim ? `${row.aim} (${row.ok ? 'met' : 'not met'}${row.note ? `; ${row.note}` : ''})` : ''
  if (row.value !== undefined) return [row.label, `${row.value} ${row.unit}`, '', '', met]
  return [row.label, `${row.hushMs} ms`, `${row.baselineMs} ms (${row.baseline})`, `${row.ratio}x`, met]
}

/** The machine a run measures, in words. */
export function machine() {
  const cores = cpus()
  return `${cores.length} CPUs (${cores[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB`
}

/** The results file: one entry per benchmark, each with when, where and by which hush it was measured. */
export function readResults(file = RESULTS_FILE) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/**
 * Puts one run's results into the file: each benchmark that ran replaces its entry (failed ones
 * are left out, so the file keeps its last good figures), the others stay as they were; entries
 * follow `order` (the benchmarks' run order).
 */
export function recordResults(measured, {hush, node, at}, order, file = RESULTS_FILE) {
  const results = readResults(file)
  for (const {name, rows} of measured) {
    if (rows.some((row) => row.error)) continue
    const entry = {name, measuredAt: at, hush, node, machine: machine(), rows}
    const index = results.benchmarks.findIndex((existing) => existing.name === name)
    if (index === -1) results.benchmarks.push(entry)
    else results.benchmarks[index] = entry
  }
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length)
  results.benchmarks.sort((a, b) => rank(a.name) - rank(b.name))
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
}

const cell = (text) => String(text).replaceAll('|', '\\|')

/** The results file as markdown: one table, then where and when each benchmark was measured. */
export function resultsMarkdown(results) {
  const entries = results.benchmarks
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`]
  for (const entry of entries) {
    for (const row of entry.rows) lines.push(`| ${cells(row).map(cell).join(' | ')} |`)
  }
  lines.push('')
  const runs = new Map()
  for (const entry of entries) {
    const where = `${entry.machine}, Node ${entry.node}, hush ${entry.hush}, ${entry.measuredAt}${entry.source ? ` (${entry.source})` : ''}`
    runs.set(where, [...(runs.get(where) ?? []), `\`${entry.name}\``])
  }
  for (const [where, names] of runs) lines.push(`- ${names.join(', ')}: ${where}`)
  return lines.join('\n')
}

/** A row's figure in a few words: its time and ratio to the baseline, or its value. */
function figure(row) {
  if (row.value !== undefined) return `${row.value} ${row.unit}`
  return `${row.hushMs} ms (${row.ratio}x ${row.baseline})`
}

/**
 * The results against `results.before` (the figures of an earlier setup, kept as they were, which
 * no run replaces): every row of either, matched by benchmark, label and baseline, the earlier figure beside
 * the latest. Ratios compare across machines and runs; times only on the same machine.
 */
export function beforeAfterMarkdown(results) {
  const before = results.before ?? {benchmarks: []}
  const lines = [`| benchmark | before: ${before.setup} | after: ${results.setup} |`, '|---|---|---|']
  const key = (entry, row) => `${entry.name}\u0000${row.label}\u0000${row.baseline ?? ''}`
  const earlier = new Map(before.benchmarks.flatMap((entry) => entry.rows.map((row) => [key(entry, row), row])))
  const seen = new Set()
  for (const entry of results.benchmarks) {
    for (const row of entry.rows) {
      seen.add(key(entry, row))
      const old = earlier.get(key(entry, row))
      lines.push(`| ${[row.label, old ? figure(old) : 'not measured', figure(row)].map(cell).join(' | ')} |`)
    }
  }
  for (const entry of before.benchmarks) {
    for (const row of entry.rows) {
      if (!seen.has(key(entry, row)))
        lines.push(`| ${[row.label, figure(row), 'not measured'].map(cell).join(' | ')} |`)
    }
  }
  return lines.join('\n')
}
