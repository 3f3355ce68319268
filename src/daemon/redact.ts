// Hiding secret values in text that leaves the agent: docker's error output (scrub) and container
// logs (Redactor, which also catches a value split across chunks by holding back a short tail).

export const MASK = '***'

/** Every value, plus each line of a multi-line value, longest first (so a longer match wins). */
function needles(values: Iterable<Uint8Array>): Buffer[] {
  const found = new Map<string, Buffer>()
  for (const value of values) {
    if (value.length === 0) continue
    const bytes = Buffer.from(value)
    found.set(bytes.toString('base64'), bytes)
    if (bytes.includes(0x0a) || bytes.includes(0x0d)) {
      for (const line of bytes.toString('utf8').split(/\r?\n|\r/)) {
        if (line.trim().length >= 4) found.set(Buffer.from(line).toString('base64'), Buffer.from(line))
      }
    }
  }
  return [...found.values()].sort((a, b) => b.length - a.length)
}

/** Replaces every secret value in `text` with ***. */
export function scrub(text: string, values: Iterable<Uint8Array>): string {
  let out = text
  for (const needle of needles(values)) out = out.split(needle.toString('utf8')).join(MASK)
  return out
}

/** A streaming replacer: push chunks, get back redacted bytes; `end()` flushes the held tail. */
export class Redactor {
  private readonly needles: Buffer[]
  private readonly longest: number
  private pending = Buffer.alloc(0)

  constructor(values: Iterable<Uint8Array>) {
    this.needles = needles(values)
    this.longest = this.needles[0]?.length ?? 0
  }

  push(chunk: Uint8Array): Buffer {
    if (this.longest === 0) return Buffer.from(chunk)
    this.pending = Buffer.concat([this.pending, chunk])
    return this.drain(false)
  }

  end(): Buffer {
    const out = this.drain(true)
    this.pending = Buffer.alloc(0)
    return out
  }

  private drain(final: boolean): Buffer {
    const out: Buffer[] = []
    let buf = this.pending
    for (;;) {
      let at = -1
      let match: Buffer | undefined
      for (const needle of this.needles) {
        const index = buf.indexOf(needle)
        if (index !== -1 && (at === -1 || index < at)) {
          at = index
          match = needle
        }
      }
      // A match is safe only when no longer value could start at or before it and run past the data.
      if (match && (final || at + this.longest <= buf.length)) {
        out.push(buf.subarray(0, at), Buffer.from(MASK))
        buf = buf.subarray(at + match.length)
        continue
      }
      const safe = final
        ? buf.length
        : Math.max(0, Math.min(at === -1 ? buf.length : at, buf.length - this.longest + 1))
      out.push(buf.subarray(0, safe))
      buf = buf.subarray(safe)
      break
    }
    this.pending = Buffer.from(buf)
    return Buffer.concat(out)
  }
}
