#!/usr/bin/env node
// Rewrites the generated blocks of README.md from the code (npm run build first): the table of
// `docker run` options from src/api/run-options.ts. `--check` exits 1 when the README is stale.
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {withRunOptionsTable} from '../dist/api/run-options-doc.js'

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url))
const readme = readFileSync(readmePath, 'utf8')
const next = withRunOptionsTable(readme)
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md is stale: run `npm run build && node scripts/gen-docs.mjs`')
    process.exit(1)
  }
} else if (next !== readme) {
  writeFileSync(readmePath, next)
  console.log('README.md: run-options table rewritten')
}
