import {defineConfig} from 'vitest/config'
import {BaseSequencer, type TestSpecification} from 'vitest/node'

// Two tiers. `unit`: pure tests (*.unit.test.ts[x]) that need no agent, docker, keyring or D-Bus,
// run with `npm run test:unit` in seconds. `e2e`: every other test file, against the real agent,
// Docker engine and OS keyring, behind the global setup that checks those parts. `npm test` runs both.
const UNIT = ['test/**/*.unit.test.ts', 'test/**/*.unit.test.tsx']

// The slowest e2e files, longest first (measured on a loaded two-core machine), so that the two
// workers end together instead of one running a long file alone at the end; a fresh clone has no
// vitest cache of durations to go by. The Swarm files take turns on the swarm (swarmTestFile), so
// they stand apart: a worker that picks one while the other runs another waits.
const SLOWEST = [
  'test/e2e/deployments/launch-crash.e2e.test.ts',
  'test/e2e/swarm/swarm-crash.e2e.test.ts',
  'test/e2e/backup/restore-content.e2e.test.ts',
  'test/e2e/backup/backup-crash.e2e.test.ts',
  'test/e2e/swarm/swarm.e2e.test.ts',
  'test/e2e/deployments/lifecycle.e2e.test.ts',
  'test/e2e/secrets/secret-details.e2e.test.ts',
  'test/e2e/swarm/swarm-cluster.e2e.test.ts',
  'test/e2e/house/bench.e2e.test.ts',
  'test/e2e/keys/keyring.e2e.test.ts',
  'test/e2e/swarm/swarm-leak.e2e.test.ts',
  'test/e2e/cli/fresh-install.e2e.test.ts',
  'test/e2e/deployments/secret-files.e2e.test.ts',
  'test/e2e/keys/passphrase.e2e.test.ts',
  'test/e2e/deployments/session.e2e.test.ts',
]

/** The slowest files first (SLOWEST), then vitest's own order. */
class SlowestFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = SLOWEST.findIndex((slow) => file.moduleId.endsWith(`/${slow}`))
      return index === -1 ? SLOWEST.length : index
    }
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b))
  }
}

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    sequence: {sequencer: SlowestFirst},
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {extends: true, test: {name: 'unit', include: UNIT}},
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: UNIT,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
})
