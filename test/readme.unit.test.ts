// The README's generated blocks match the code: a changed run option without
// `node scripts/gen-docs.mjs` fails here.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import {withRunOptionsTable} from '../src/api/run-options-doc.js'
import {ROOT} from './helpers.js'

it('README.md holds the current run-options table (regenerate with node scripts/gen-docs.mjs)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  expect(readme, 'README.md is stale: run `npm run build && node scripts/gen-docs.mjs`').toBe(
    withRunOptionsTable(readme),
  )
})
