// The streams a command talks through (after the GitHub CLI's iostreams): standard input, output and
// error, whether each is a terminal, the environment and the exit code. Commands get them from the
// base command, so a test can run a command in-process with its own; standard input is read here and
// nowhere else, and nothing else touches the process's streams or exit code.
import {HushError} from '../api/errors.js'

export interface IOStreams {
  stdin: NodeJS.ReadableStream
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Which of the three is a terminal (a prompt needs stdin and stderr to be one). */
  isTTY: {stdin: boolean; stdout: boolean; stderr: boolean}
  /** The command's environment (`--from-env` reads a variable here, and removes it once read). */
  env: NodeJS.ProcessEnv
  /** The exit code the command ends with: 0 until a failure, or a partial success, sets it. */
  exitCode: number
}

/** The process's own streams and environment. */
export function systemIO(): IOStreams {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: {
      stdin: Boolean(process.stdin.isTTY),
      stdout: Boolean(process.stdout.isTTY),
      stderr: Boolean(process.stderr.isTTY),
    },
    env: process.env,
    get exitCode() {
      return typeof process.exitCode === 'number' ? process.exitCode : 0
    },
    set exitCode(code: number) {
      process.exitCode = code
    },
  }
}

/**
 * Runs `load` with the process's variables `names` removed, put back after: for a module that reads
 * the process's environment as it loads (Ink and CI, cli/pick.ts).
 */
export async function withProcessEnvHidden<T>(names: string[], load: () => Promise<T>): Promise<T> {
  const hidden: Record<string, string> = {}
  for (const name of names) {
    const value = process.env[name]
    if (value !== undefined) {
      hidden[name] = value
      delete process.env[name]
    }
  }
  try {
    return await load()
  } finally {
    Object.assign(process.env, hidden)
  }
}

/**
 * All of `stream` as bytes of our own, less one trailing newline (LF or CRLF); the chunks read are
 * wiped. `where` names the source in the one-line error when reading fails.
 */
export async function readAll(stream: NodeJS.ReadableStream, where: string): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  } catch (error) {
    for (const chunk of chunks) chunk.fill(0)
    throw new HushError(
      'bad_request',
      `Could not read ${where} (${(error as NodeJS.ErrnoException).code ?? 'read error'}).`,
    )
  }
  const all = Buffer.concat(chunks)
  for (const chunk of chunks) chunk.fill(0)
  let end = all.length
  if (all[end - 1] === 0x0a) end -= all[end - 2] === 0x0d ? 2 : 1
  const bytes = new Uint8Array(all.subarray(0, end))
  all.fill(0)
  return bytes
}

/** Asks on the terminal without echo (the prompt on stderr); the answer as bytes. */
export async function promptHidden(io: IOStreams, prompt: string): Promise<Uint8Array> {
  const {read} = await import('read')
  // `read` hands back a JS string: it cannot be wiped (see docs/security.md, memory hygiene).
  const answer = String(
    await read({
      prompt,
      silent: true,
      replace: '',
      input: io.stdin as NodeJS.ReadStream,
      output: io.stderr as NodeJS.WriteStream,
    }),
  )
  return new TextEncoder().encode(answer)
}

/** Asks a question on the terminal (the prompt on stderr), with echo. */
export async function promptLine(io: IOStreams, prompt: string): Promise<string> {
  const {read} = await import('read')
  return String(await read({prompt, input: io.stdin as NodeJS.ReadStream, output: io.stderr as NodeJS.WriteStream}))
}
