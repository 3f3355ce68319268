#!/usr/bin/env node
// Rewrites the generated blocks of docs/ (scripts/doc-blocks.mjs lists them) from the code (npm run
// build first) and from docs/benchmarks.json. `--check` exits 1 when a page is stale.
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {readResults} from '../bench/report.js'
import {routes} from '../dist/api/contract.js'
import {errorCodes} from '../dist/api/errors.js'
import {runOptionsMarkdown} from '../dist/api/rules/run-options-doc.js'
import {docBlocks, withBlock} from './doc-blocks.mjs'

const blocks = docBlocks({runOptions: runOptionsMarkdown(), routes, errorCodes, benchmarks: readResults()})
const check = process.argv.includes('--check')
let stale = false
for (const file of new Set(blocks.map((block) => block.file))) {
  const path = fileURLToPath(new URL(`../${file}`, import.meta.url))
  const text = readFileSync(path, 'utf8')
  let next = text
  for (const block of blocks.filter((each) => each.file === file)) next = withBlock(next, block.name, block.markdown)
  if (next === text) continue
  if (check) {
    console.error(`${file} is stale: run \`npm run build && npm run docs\``)
    stale = true
  } else {
    writeFileSync(path, next)
    console.log(`${file}: generated blocks rewritten`)
  }
}
if (stale) process.exit(1)
