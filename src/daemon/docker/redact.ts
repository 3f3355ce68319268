// Hiding secret values in text that leaves the agent: docker's error output (scrub) and container
// logs (Redactor, which also catches a value split across chunks by holding back only the bytes that
// can still become one). Each value is masked in the forms a program commonly prints it (see
// maskedForms). A value of MIN_ANYWHERE bytes or more is masked wherever it appears; a shorter one
// (1-3 bytes) only where it stands as a whole word, so "1" does not mask every digit 1 (noise that
// would show the value by its positions) while `echo $PIN` still prints ***.

export const MASK = '***'
/** Values at least this long are masked anywhere; shorter ones only as whole words. */
export const MIN_ANYWHERE = 4

interface Needle {
  bytes: Buffer
  /** Masked only when no letter, digit or '_' touches it on either side. */
  wordOnly: boolean
}

/** Space, tab, newline, CR, VT, FF: what `trimmed` removes at both ends. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)
}

/** The shell's default IFS (space, tab, newline): what an unquoted `$VALUE` is split on. */
function isFieldSeparator(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a
}

/** `bytes` without the spaces at its start and end. */
function trimmed(bytes: Buffer): Buffer {
  let start = 0
  let end = bytes.length
  while (start < end && isSpace(bytes[start])) start++
  while (end > start && isSpace(bytes[end - 1])) end--
  return bytes.subarray(start, end)
}

/** What `echo $VALUE` prints (before its newline): the words between runs of IFS, joined by one space. */
function collapsed(bytes: Buffer): Buffer {
  if (!bytes.includes(0x20) && !bytes.includes(0x09) && !bytes.includes(0x0a)) return bytes
  const words: Buffer[] = []
  let start = -1
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || isFieldSeparator(bytes[i])) {
      if (start !== -1) words.push(bytes.subarray(start, i))
      start = -1
    } else if (start === -1) start = i
  }
  return Buffer.concat(words.flatMap((word, i) => (i ? [Buffer.from(' '), word] : [word])))
}

/** The lines of a value, split at \n, \r\n or \r. */
function lines(bytes: Buffer): Buffer[] {
  if (!bytes.includes(0x0a) && !bytes.includes(0x0d)) return [bytes]
  const found: Buffer[] = []
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a && bytes[i] !== 0x0d) continue
    found.push(bytes.subarray(start, i))
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) i++
    start = i + 1
  }
  found.push(bytes.subarray(start))
  return found
}

/**
 * Every form of `value` that is masked: the value byte for byte; its trimmed form (no space, tab,
 * CR, LF, VT or FF at either end); its collapsed form (what `echo $VALUE` prints); and for a
 * multi-line value each line, each line trimmed and each line collapsed. A derived form counts only
 * when its trimmed form has MIN_ANYWHERE bytes or more (as for lines), so a fragment such as the
 * "a" of "a\nbcdef" or a line of blanks masks nothing; the value itself always counts.
 */
export function maskedForms(value: Uint8Array): Buffer[] {
  const bytes = Buffer.from(value)
  if (bytes.length === 0) return []
  const split = lines(bytes)
  const pieces = split.length > 1 ? [bytes, ...split] : [bytes]
  const derived = pieces.flatMap((piece) => [piece, trimmed(piece), collapsed(piece)])
  const found = new Map<string, Buffer>([[bytes.toString('latin1'), bytes]])
  for (const form of derived) {
    if (trimmed(form).length >= MIN_ANYWHERE) found.set(form.toString('latin1'), form)
  }
  return [...found.values()]
}

/** Every masked form of every value, each once, longest first (so a longer match wins). */
function needles(values: Iterable<Uint8Array>): Needle[] {
  const found = new Map<string, Buffer>()
  for (const value of values) {
    for (const form of maskedForms(value)) found.set(form.toString('latin1'), form)
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

/**
 * The prefixes of every needle as an Aho-Corasick automaton, to find in one pass over the end of
 * the output the earliest place where a value may still be starting: the longest suffix that is a
 * proper prefix of some needle, or a whole short needle still waiting for the byte after it.
 */
class Prefixes {
  /** Each node's first child and the byte leading to it (most nodes have one); node 0 is the empty prefix. */
  private readonly firstChild: Int32Array
  private readonly firstByte: Uint8Array
  /** Every other child: node * 256 + byte -> child. */
  private readonly moreChildren = new Map<number, number>()
  private readonly depth: Int32Array
  private readonly fail: Int32Array
  /** The longest node on each node's suffix chain (itself included) that may still grow into a match. */
  private readonly holdLink: Int32Array
  readonly longest: number

  constructor(needles: readonly Needle[]) {
    const size = 1 + needles.reduce((sum, needle) => sum + needle.bytes.length, 0)
    this.firstChild = new Int32Array(size)
    this.firstByte = new Uint8Array(size)
    const depth = new Int32Array(size)
    const parent = new Int32Array(size)
    const byteOf = new Uint8Array(size)
    /** 1: a needle continues past this prefix; 2: a whole-word needle ends here (it waits for the next byte). */
    const grows = new Uint8Array(size)
    let nodes = 1
    for (const needle of needles) {
      let node = 0
      for (let i = 0; i < needle.bytes.length; i++) {
        const byte = needle.bytes[i]
        let next = this.child(node, byte)
        if (next === 0) {
          next = nodes++
          depth[next] = depth[node] + 1
          parent[next] = node
          byteOf[next] = byte
          if (this.firstChild[node] === 0) {
            this.firstChild[node] = next
            this.firstByte[node] = byte
          } else this.moreChildren.set(node * 256 + byte, next)
        }
        grows[node] |= 1
        node = next
      }
      if (needle.wordOnly) grows[node] |= 2
    }
    this.depth = depth.subarray(0, nodes)
    this.fail = new Int32Array(nodes)
    this.holdLink = new Int32Array(nodes)
    this.longest = Math.max(0, ...needles.map((needle) => needle.bytes.length))
    // By increasing depth (a counting sort), so the links a node's link is built from are known.
    const atDepth = new Int32Array(this.longest + 2)
    for (let node = 1; node < nodes; node++) atDepth[depth[node] + 1]++
    for (let d = 1; d < atDepth.length; d++) atDepth[d] += atDepth[d - 1]
    const order = new Int32Array(nodes - 1)
    for (let node = 1; node < nodes; node++) order[atDepth[depth[node]]++] = node
    for (const node of order) {
      this.fail[node] = parent[node] === 0 ? 0 : this.step(this.fail[parent[node]], byteOf[node])
      this.holdLink[node] = grows[node] ? node : this.holdLink[this.fail[node]]
    }
  }

  /** The child of `node` along `byte`, or 0. */
  private child(node: number, byte: number): number {
    const first = this.firstChild[node]
    if (first === 0 || this.firstByte[node] === byte) return first
    return this.moreChildren.get(node * 256 + byte) ?? 0
  }

  private step(node: number, byte: number): number {
    for (;;) {
      const next = this.child(node, byte)
      if (next !== 0 || node === 0) return next
      node = this.fail[node]
    }
  }

  /** Where the bytes that can still become (the start of) a match begin in buf[from..]; buf.length if none. */
  holdStart(buf: Buffer, from: number): number {
    let node = 0
    for (let i = Math.max(from, buf.length - this.longest); i < buf.length; i++) node = this.step(node, buf[i])
    return buf.length - this.depth[this.holdLink[node]]
  }
}

/** Replaces every secret value in `text` with *** (short values only as whole words). */
export function scrub(text: string, values: Iterable<Uint8Array>): string {
  const redactor = new Redactor(values)
  return Buffer.concat([redactor.push(Buffer.from(text)), redactor.end()]).toString('utf8')
}

/**
 * A streaming replacer: push chunks, get back redacted bytes; `end()` flushes the held tail.
 * It holds back only bytes that can still become a value (a prefix of a masked form at the end of
 * what it was given), and passes everything else on at once. Held bytes are never let out on a
 * timer: the next byte may complete the value, and its start would have shown already.
 */
export class Redactor {
  private readonly needles: Needle[]
  private readonly prefixes: Prefixes
  private pending = Buffer.alloc(0)
  /** The byte just before `pending` (already passed on), for a whole-word match at its start. */
  private before: number | undefined

  constructor(values: Iterable<Uint8Array>, shared?: Redactor) {
    this.needles = shared?.needles ?? needles(values)
    this.prefixes = shared?.prefixes ?? new Prefixes(this.needles)
  }

  /** A fresh Redactor for another stream of the same values (the forms are built once). */
  sibling(): Redactor {
    return new Redactor([], this)
  }

  push(chunk: Uint8Array): Buffer {
    if (this.needles.length === 0) return Buffer.from(chunk)
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk)
    return this.drain(false)
  }

  end(): Buffer {
    const out = this.drain(true)
    this.pending = Buffer.alloc(0)
    return out
  }

  /**
   * The first place at or after `from` where `needle` may be masked in `buf`, or -1; a whole-word
   * match needs the byte after it (or the end), and is left undecided (-1) while it is missing.
   */
  private find(buf: Buffer, needle: Needle, from: number, final: boolean): number {
    let at = buf.indexOf(needle.bytes, from)
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
    const buf = this.pending
    const out: Buffer[] = []
    /** Bytes before `from` are passed on (as they are, or masked). */
    let from = 0
    /** Bytes from `hold` on may still become a value: they wait for more output. */
    let hold = final ? buf.length : this.prefixes.holdStart(buf, 0)
    /** Each needle's next match at or after `from` (-1: none; -2: not looked for yet). */
    const next = new Array<number>(this.needles.length).fill(-2)
    for (;;) {
      let at = -1
      let match: Buffer | undefined
      this.needles.forEach((needle, i) => {
        if (next[i] === -2 || (next[i] !== -1 && next[i] < from)) next[i] = this.find(buf, needle, from, final)
        // Longest first, so the first needle at the earliest place wins.
        if (next[i] !== -1 && (at === -1 || next[i] < at)) {
          at = next[i]
          match = needle.bytes
        }
      })
      // A match is safe only when no value could start at or before it and run past the data.
      if (!match || at >= hold) break
      out.push(buf.subarray(from, at), Buffer.from(MASK))
      from = at + match.length
      if (from > hold) hold = this.prefixes.holdStart(buf, from)
    }
    out.push(buf.subarray(from, hold))
    if (hold > 0) this.before = buf[hold - 1]
    this.pending = Buffer.from(buf.subarray(hold))
    return Buffer.concat(out)
  }
}
