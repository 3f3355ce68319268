// The tables people read: columns line up in a terminal (wide characters count twice) and a cell
// cannot break a row or send an escape sequence to the terminal.
import stringWidth from 'string-width'
import {describe, expect, it} from 'vitest'
import {table} from '../../../src/ui/render.js'

/** Where each column starts on a line, in terminal columns. */
const starts = (line: string, cells: string[]) => {
  let at = 0
  return cells.map((cell) => {
    const index = line.indexOf(cell, at)
    const start = stringWidth(line.slice(0, index))
    at = index + cell.length
    return start
  })
}

describe('table', () => {
  it('lines columns up under the header, two spaces apart, with no trailing spaces', async () => {
    const out = await table(
      ['NAME', 'KEYS', 'DESCRIPTION'],
      [
        ['hf', 'HF_TOKEN', 'hugging face'],
        ['wandb-prod', 'WANDB_API_KEY', ''],
      ],
    )
    expect(out.split('\n')).toEqual([
      'NAME        KEYS           DESCRIPTION',
      'hf          HF_TOKEN       hugging face',
      'wandb-prod  WANDB_API_KEY',
    ])
  })

  it('counts wide characters as two columns and combining marks as none', async () => {
    const rows = [
      ['日本語', 'A', 'x'],
      ['cafe\u0301', 'B', 'y'],
      ['plain', 'C', 'z'],
    ]
    const lines = (await table(['NAME', 'KEY', 'NOTE'], rows)).split('\n')
    const header = starts(lines[0], ['NAME', 'KEY', 'NOTE'])
    expect(header).toEqual([0, 8, 13])
    for (const [i, row] of rows.entries()) expect(starts(lines[i + 1], row)).toEqual(header)
  })

  it('shows control characters as escapes, so a cell stays on its row and cannot drive the terminal', async () => {
    const out = await table(['NAME', 'DESCRIPTION'], [['a', 'line one\nline two\t\u001b[31mred\u0007 \u009b2J\u007f']])
    expect(out.split('\n')).toEqual([
      'NAME  DESCRIPTION',
      'a     line one\\nline two\\t\\u001b[31mred\\u0007 \\u009b2J\\u007f',
    ])
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
  })

  it('renders rows longer than the header, and 10,000 rows', async () => {
    expect(await table(['A'], [['1', 'extra']])).toBe('A\n1  extra')
    const rows = Array.from({length: 10_000}, (_, i) => [`secret-${i}`, 'TOKEN'])
    const lines = (await table(['NAME', 'KEYS'], rows)).split('\n')
    expect(lines).toHaveLength(10_001)
    expect(lines[10_000]).toBe('secret-9999  TOKEN')
    expect(lines[1]).toBe('secret-0     TOKEN')
  })
})
