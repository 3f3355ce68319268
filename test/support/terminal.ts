// A real terminal for tests: a private tmux server (its socket in the test's own directory) whose
// panes run a command; keys go in with send-keys and every screen comes back with capture-pane.
import {execa} from 'execa'
import {expect} from 'vitest'
import {waitFor} from './helpers.js'

export interface Terminal {
  /** The tmux session (target for tmux commands). */
  name: string
  /** Every screen read so far. */
  screens: string[]
  screen(): Promise<string>
  /** The pane's whole scrollback, as one text. */
  history(): Promise<string>
  until(text: string | RegExp, timeoutMs?: number): Promise<string>
  keys(...keys: string[]): Promise<void>
}

export class Tmux {
  private sessions = 0

  /**
   * `socket`: the server's socket path (removed with the test's directory). `env`: the whole
   * environment of the server and so of its panes; by default, this process's own.
   */
  constructor(
    readonly socket: string,
    private readonly env?: Record<string, string>,
    private readonly file = 'tmux',
  ) {}

  run(...args: string[]) {
    return execa(this.file, ['-S', this.socket, ...args], {
      reject: false,
      stdin: 'ignore',
      ...(this.env ? {env: this.env, extendEnv: false} : {}),
    })
  }

  /** A new 120-column session running `command` (a shell command line). */
  async open(command: string, rows = 40): Promise<Terminal> {
    const name = `term${++this.sessions}`
    const started = await this.run('new-session', '-d', '-s', name, '-x', '120', '-y', String(rows), command)
    expect(started.exitCode, started.stderr).toBe(0)
    const screens: string[] = []
    const screen = async () => {
      const captured = await this.run('capture-pane', '-p', '-t', name)
      screens.push(captured.stdout)
      return captured.stdout
    }
    return {
      name,
      screens,
      screen,
      history: async () => (await this.run('capture-pane', '-p', '-S', '-', '-t', name)).stdout,
      async until(text, timeoutMs = 30_000) {
        let last = ''
        try {
          await waitFor(async () => {
            last = await screen()
            return typeof text === 'string' ? last.includes(text) : text.test(last)
          }, timeoutMs)
        } catch {
          throw new Error(`screen never showed ${String(text)}; last screen:\n${last}`)
        }
        return last
      },
      keys: async (...keys) => {
        await this.run('send-keys', '-t', name, ...keys)
      },
    }
  }

  async kill(): Promise<void> {
    await this.run('kill-server')
  }
}

/** Fails when any screen shows any of `values`. */
export function expectNoValue(screens: string[], values: string[]): void {
  expect(screens.length).toBeGreaterThan(0)
  for (const screen of screens) for (const value of values) expect(screen).not.toContain(value)
}
