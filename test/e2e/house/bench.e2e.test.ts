// The benchmarks still run: each one, at a tiny size, against the real agent, keyring and docker,
// gives well-formed rows and leaves no container behind. No figure is asserted (speed is measured
// by `npm run bench`, not by tests).
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
// @ts-expect-error: the benchmarks are plain JavaScript, without types
import {agentColdStart, agentOpenFromKernelKeyring, agentWith10k, writesPerSecond} from '../../../bench/agent.js'
// @ts-expect-error: the benchmarks are plain JavaScript, without types
import {backupRestoreRotate} from '../../../bench/backup.js'
// @ts-expect-error: the benchmarks are plain JavaScript, without types
import {listVsFloor, listVsNode, versionVsNode} from '../../../bench/startup.js'
// @ts-expect-error: the benchmarks are plain JavaScript, without types
import {benchSubmit} from '../../../bench/submit.js'
// @ts-expect-error: the benchmarks are plain JavaScript, without types
import {benchSwarmRotation} from '../../../bench/swarm.js'
import {dockerAvailable} from '../../support/docker.js'

const docker = await dockerAvailable(import.meta.url)

interface Row {
  label: string
  baseline?: string
  hushMs?: number
  baselineMs?: number
  ratio?: number
  value?: number
  unit?: string
  aim?: string
  ok?: boolean
}

/** A row as run.js prints it: a comparison (two positive times and their ratio) or one figure. */
function expectWellFormed(rows: Row[], count: number): void {
  expect(rows).toHaveLength(count)
  for (const row of rows) {
    expect(row.label).toMatch(/\S/)
    if (row.value === undefined) {
      expect(row.hushMs).toBeGreaterThan(0)
      expect(row.baselineMs).toBeGreaterThan(0)
      // The times are rounded to 0.1 ms and the ratio is not: a sub-millisecond baseline moves it a lot.
      const ratio = (row.hushMs ?? 0) / (row.baselineMs ?? 1)
      expect(Math.abs((row.ratio ?? 0) - ratio)).toBeLessThanOrEqual(0.25 * ratio + 0.02)
      expect(row.baseline).toMatch(/\S/)
    } else {
      expect(Number.isFinite(row.value) && row.value > 0).toBe(true)
      expect(row.unit).toMatch(/\S/)
    }
    if (row.aim !== undefined) expect(typeof row.ok).toBe('boolean')
  }
}

describe('npm run bench, at a tiny size', () => {
  it('start-up: --version against bare node', async () => {
    expectWellFormed(await versionVsNode({runs: 1, variants: ['bundle']}), 1)
  })

  it('start-up: secrets list and complete against the floor script', async () => {
    expectWellFormed(await listVsFloor({runs: 1, secrets: 5, variants: ['bundle']}), 2)
  })

  it('agent: cold start, writes per second, and listing (which checks every secret came back)', async () => {
    expectWellFormed(await agentColdStart({runs: 1, variants: ['bundle']}), 1)
    expectWellFormed(await agentOpenFromKernelKeyring({runs: 1}), 1)
    expectWellFormed(await writesPerSecond({clients: 4, writes: 40}), 1)
    expectWellFormed(await agentWith10k({secrets: 200, runs: 1, variants: ['bundle']}), 2)
  })

  it('backup, restore into a new store (which checks every secret came back), key rotation', async () => {
    expectWellFormed(await backupRestoreRotate({secrets: 20}), 3)
  }, 180_000)

  it.skipIf(!docker)(
    'secrets list against bare node and docker ps; submit against docker run, leaving no container',
    async () => {
      expectWellFormed(await listVsNode({runs: 1, secrets: 5, variants: ['bundle']}), 2)
      expectWellFormed(await benchSubmit({runs: 1}), 1)
      const left = await execa('docker', ['ps', '-aq', '--filter', `label=hush-bench=${process.pid}`], {
        stdin: 'ignore',
      })
      expect(left.stdout.trim()).toBe('')
    },
  )

  it.skipIf(!docker)(
    'Swarm: rotation reaching both replicas against the same update by hand, leaving no service or secret',
    async () => {
      expectWellFormed(await benchSwarmRotation({runs: 1}), 1)
      for (const kind of ['service', 'secret']) {
        const left = await execa('docker', [kind, 'ls', '-q', '--filter', `label=hush-bench=${process.pid}`], {
          stdin: 'ignore',
        })
        expect(left.stdout.trim(), `${kind}s left behind`).toBe('')
      }
    },
    300_000,
  )
})
