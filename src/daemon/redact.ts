// Hiding secret values in text that leaves the agent: docker's error output (scrub) and container
// logs (Redactor, which also catches a value split across chunks by holding back a short tail).
// A value of MIN_ANYWHERE bytes or more is masked wherever it appears; a shorter one (1-3 bytes)
// only where it stands as a whole word, so "1" does not mask every digit 1 (noise that would show
// the value by its positions) while `echo $PIN` still prints ***.

export const MASK = '***'
/** Values at least this long are masked anywhere; shorter ones only as whole words. */
export const MIN_ANYWHERE = 4

interface Needle {
  bytes: Buffer
  /** Masked only when no letter, digit or '_' touches it on either side. */
  wordOnly: boolean
}

/** Every value, plus each line of a multi-line value, longest first (so a longer match wins). */
function needles(values: Iterable<Uint8Array>): Needle[] {
  const found = new Map<string, Buffer>()
  for (const value of values) {
    if (value.length === 0) continue
    const bytes = Buffer.from(value)
    found.set(bytes.toString('base64'), bytes)
    if (bytes.includes(0x0a) || bytes.includes(0x0d)) {
      for (const line of bytes.toString('utf8').split(/\r?\n|\r/)) {
        if (line.trim().length >= MIN_ANYWHERE) found.set(Buffer.from(line).toString('base64'), Buffer.from(line))
      }
    }
  }
  return [...found.values()]
    .sort((a, b) => b.length - a.length)
    .map((bytes) => ({bytes, wordOnly: bytes.length < MIN_ANYWHERE}))
}

/** A byte that continues a word: ASCII letter, digit, '_', or any byte of a non-ASCII character. */
function isWordByte(byte: number | undefined): boolean {
  if (byte === undefined) return false
  return (
    byte >= 0x80 ||
    byte === 0x5f ||
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a)
  )
}

/** Replaces every secret value in `text` with *** (short values only as whole words). */
export function scrub(text: string, values: Iterable<Uint8Array>): string {
  const redactor = new Redactor(values)
  return Buffer.concat([redactor.push(Buffer.from(text)), redactor.end()]).toString('utf8')
}

/** A streaming replacer: push chunks, get back redacted bytes; `end()` flushes the held tail. */
export class Redactor {
  private readonly needles: Needle[]
  /** The longest needle, plus the byte after it that a whole-word match must see. */
  private readonly longest: number
  private pending = Buffer.alloc(0)
  /** The byte just before `pending` (already passed on), for a whole-word match at its start. */
  private before: number | undefined

  constructor(values: Iterable<Uint8Array>) {
    this.needles = needles(values)
    this.longest = Math.max(0, ...this.needles.map((needle) => needle.bytes.length + (needle.wordOnly ? 1 : 0)))
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

  /** The first place `needle` may be masked in `buf`; a whole-word match needs the byte after it (or the end). */
  private find(buf: Buffer, needle: Needle, final: boolean): number {
    let at = buf.indexOf(needle.bytes)
    while (at !== -1 && needle.wordOnly) {
      const end = at + needle.bytes.length
      const before = at === 0 ? this.before : buf[at - 1]
      const afterKnown = end < buf.length || final
      if (!isWordByte(before) && afterKnown && !isWordByte(buf[end])) break
      // Undecided until the next byte arrives: the held-back tail keeps it.
      if (!afterKnown) return -1
      at = buf.indexOf(needle.bytes, at + 1)
    }
    return at
  }

  private drain(final: boolean): Buffer {
    const out: Buffer[] = []
    let buf = this.pending
    for (;;) {
      let at = -1
      let match: Buffer | undefined
      for (const needle of this.needles) {
        const index = this.find(buf, needle, final)
        if (index !== -1 && (at === -1 || index < at)) {
          at = index
          match = needle.bytes
        }
      }
      // A match is safe only when no longer value could start at or before it and run past the data.
      if (match && (final || at + this.longest <= buf.length)) {
        out.push(buf.subarray(0, at), Buffer.from(MASK))
        this.before = match[match.length - 1]
        buf = buf.subarray(at + match.length)
        continue
      }
      const safe = final
        ? buf.length
        : Math.max(0, Math.min(at === -1 ? buf.length : at, buf.length - this.longest + 1))
      out.push(buf.subarray(0, safe))
      if (safe > 0) this.before = buf[safe - 1]
      buf = buf.subarray(safe)
      break
    }
    this.pending = Buffer.from(buf)
    return Buffer.concat(out)
  }
}
