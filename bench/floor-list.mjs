#!/usr/bin/env node
// The floor of `hush secrets list` (issue 26): only what that command must do, as a baseline of
// `npm run bench` beside `node -e 0`. One connection to the agent's Unix socket (given as the only
// argument), one GET /v1/secrets, the table on stdout. No checks of who answers, no flags, no
// library: what a Node program that lists secrets cannot do without.
import {connect} from 'node:net'

const socket = connect(process.argv[2])
const chunks = []
socket.on('connect', () => socket.end('GET /v1/secrets HTTP/1.1\r\nHost: hush.local\r\nConnection: close\r\n\r\n'))
socket.on('data', (chunk) => chunks.push(chunk))
socket.on('end', () => {
  // latin1: one character per byte, so the chunk sizes (bytes) index the text; UTF-8 once whole.
  const response = Buffer.concat(chunks).toString('latin1')
  const split = response.indexOf('\r\n\r\n')
  const head = response.slice(0, split)
  let body = response.slice(split + 4)
  if (/^transfer-encoding: *chunked/im.test(head)) body = unchunk(body)
  if (!/^HTTP\/1\.1 200/.test(head)) throw new Error(head.split('\r\n')[0])
  const secrets = JSON.parse(Buffer.from(body, 'latin1').toString('utf8'))
  const rows = [['NAME', 'SCOPE', 'KEYS', 'VERSION', 'UPDATED', 'USED BY', 'DESCRIPTION']]
  for (const s of secrets) {
    rows.push([
      s.name,
      s.app ? `app ${s.app}` : 'shared',
      s.keys.join(','),
      String(s.version),
      `${Math.round((Date.now() - Date.parse(s.updatedAt)) / 1000)}s ago`,
      s.usedBy.length ? s.usedBy.join(', ') : '-',
      s.description,
    ])
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  )
  process.stdout.write(`${lines.join('\n')}\n`)
})

function unchunk(body) {
  let out = ''
  for (let at = 0; ; ) {
    const eol = body.indexOf('\r\n', at)
    const size = Number.parseInt(body.slice(at, eol), 16)
    if (!size) return out
    out += body.slice(eol + 2, eol + 2 + size)
    at = eol + 2 + size + 2
  }
}
