// The docs hold together: every generated block of docs/ matches what the code (and the benchmark
// results file) says now, every relative link of README.md and docs/*.md reaches a file and, with
// `#anchor`, a heading of it, and the README stays a newcomer's page.
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
// @ts-expect-error: the benchmarks are plain JavaScript, without types
import {readResults} from '../../../bench/report.js'
// @ts-expect-error: the docs generator is plain JavaScript, without types
import {docBlocks, withBlock} from '../../../scripts/doc-blocks.mjs'
import {routes} from '../../../src/api/contract.js'
import {errorCodes} from '../../../src/api/errors.js'
import {runOptionsMarkdown} from '../../../src/api/rules/run-options-doc.js'
import {ROOT} from '../../support/helpers.js'

interface DocBlock {
  file: string
  name: string
  markdown: string
}

const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs')).flatMap((file) => (file.endsWith('.md') ? [`docs/${file}`] : [])),
]

const read = (page: string): string => readFileSync(join(ROOT, page), 'utf8')

/** The page without fenced code blocks and inline code, where a `[x](y)` or `# x` is not markdown. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '')
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to `-`, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  const withoutFences = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
  for (const [, heading] of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    result.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return result
}

describe('generated blocks', () => {
  const blocks: DocBlock[] = docBlocks({
    runOptions: runOptionsMarkdown(),
    routes,
    errorCodes,
    benchmarks: readResults(),
  })

  it.each(blocks.map((block) => [`${block.file} ${block.name}`, block]))(
    '%s matches the code (regenerate with npm run build && npm run docs)',
    (_, block) => {
      const text = read(block.file)
      expect(text, `${block.file} is stale: run \`npm run build && npm run docs\``).toBe(
        withBlock(text, block.name, block.markdown),
      )
    },
  )
})

describe('links', () => {
  it.each(PAGES)('every relative link of %s reaches a file and a heading', (page) => {
    const broken: string[] = []
    for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue
      const [path, anchor] = target.split('#') as [string, string | undefined]
      const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), path)
      if (!existsSync(file)) {
        broken.push(`${target}: no file ${relative(ROOT, file)}`)
        continue
      }
      if (anchor !== undefined && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor)) {
        broken.push(`${target}: no heading #${anchor} in ${relative(ROOT, file)}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('finds the anchors GitHub makes, so a broken anchor cannot pass unseen', () => {
    const found = anchors(
      '# Templates in `--env`\n```\n# not a heading\n```\n## The agent: `hush daemon`\n## A b\n## A b\n',
    )
    expect([...found]).toEqual(['templates-in---env', 'the-agent-hush-daemon', 'a-b', 'a-b-1'])
  })
})

it('README.md stays a newcomer page of about 150 lines (the reference lives in docs/)', () => {
  expect(read('README.md').split('\n').length).toBeLessThanOrEqual(170)
})
