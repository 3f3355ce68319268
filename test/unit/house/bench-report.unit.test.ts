// What `npm run bench` leaves for the docs: each benchmark that ran replaces its own entry of the
// results file (a failed one keeps its last good figures), in the benchmarks' order, and the
// rendered table shows every row with where and when it was measured.
import {copyFileSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, expect, it} from 'vitest'
// @ts-expect-error: the benchmarks are plain JavaScript, without types
import {RESULTS_FILE, readResults, recordResults, resultsMarkdown} from '../../../bench/report.js'

interface Entry {
  name: string
  measuredAt: string
  rows: {label: string}[]
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

function copyOfResults(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-bench-report-'))
  dirs.push(dir)
  const file = join(dir, 'benchmarks.json')
  copyFileSync(RESULTS_FILE, file)
  return file
}

it('a run replaces the entries of the benchmarks it ran and keeps the others, in run order', () => {
  const file = copyOfResults()
  const before: Entry[] = readResults(file).benchmarks
  const order = ['brand-new', ...before.map((entry) => entry.name)]
  const fresh = {label: 'fresh row', hushMs: 2, baselineMs: 1, baseline: 'node -e 0', ratio: 2}
  recordResults(
    [
      {name: before[0].name, rows: [fresh]},
      {name: before[1].name, rows: [{label: before[1].name, error: 'docker is gone'}]},
      {name: 'brand-new', rows: [{label: 'new row', value: 5, unit: 'ms', aim: '< 10 ms', ok: true}]},
    ],
    {hush: '9.9.9', node: 'v99', at: '2030-01-01T00:00:00.000Z'},
    order,
    file,
  )
  const after: Entry[] = readResults(file).benchmarks
  expect(after.map((entry) => entry.name)).toEqual(order)
  expect(after[1]).toMatchObject({name: before[0].name, measuredAt: '2030-01-01T00:00:00.000Z', rows: [fresh]})
  expect(after[2]).toEqual(before[1])
  const markdown = resultsMarkdown(readResults(file))
  expect(markdown).toContain('| fresh row | 2 ms | 1 ms (node -e 0) | 2x |  |')
  expect(markdown).toContain('| new row | 5 ms |  |  | < 10 ms (met) |')
  expect(markdown).toMatch(/`brand-new`, `[^`]+`: .*Node v99, hush 9\.9\.9, 2030-01-01/)
  expect(readFileSync(RESULTS_FILE, 'utf8')).not.toContain('9.9.9')
})
