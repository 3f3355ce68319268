// Output for people: borderless tables with aligned columns, and short relative times.

/** Printable ASCII: one column per character, no width library needed. */
const PLAIN = /^[\x20-\x7e]*$/
// C0 and C1 controls and DEL: a newline would break a row, an escape sequence would drive the terminal.
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

/** A cell as one line of inert text: controls shown as escapes (`\n`, `\u001b`), never sent raw. */
function inert(cell: string): string {
  return cell.replace(CONTROL, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * Rows under a header, columns two spaces apart, each as wide as its widest cell (in terminal
 * columns: wide and combining characters counted by string-width, loaded only when a cell is not
 * plain ASCII). Linear in the number of cells.
 */
export async function table(head: string[], rows: string[][]): Promise<string> {
  const lines = [head, ...rows].map((row) => row.map(inert))
  const plain = lines.every((line) => line.every((cell) => PLAIN.test(cell)))
  const width = plain ? (cell: string) => cell.length : (await import('string-width')).default
  const sizes = lines.map((line) => line.map((cell) => width(cell)))
  const widths: number[] = []
  for (const line of sizes) {
    for (let i = 0; i < line.length; i++) widths[i] = Math.max(widths[i] ?? 0, line[i])
  }
  return lines
    .map((line, row) =>
      line
        .map((cell, i) => cell + ' '.repeat(widths[i] - sizes[row][i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (seconds < 60) return `${seconds}s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`
  return `${Math.floor(seconds / 86_400)}d ago`
}

export function list(items: string[]): string {
  return items.length ? items.join(', ') : '-'
}
