import {defineConfig} from 'vitest/config'

// Two tiers. `unit`: pure tests (*.unit.test.ts[x]) that need no agent, docker, keyring or D-Bus,
// run with `npm run test:unit` in seconds. `e2e`: every other test file, against the real agent,
// Docker engine and OS keyring, behind the global setup that checks those parts. `npm test` runs both.
const UNIT = ['test/**/*.unit.test.ts', 'test/**/*.unit.test.tsx']

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
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
