// The agent's log: one timestamped line per event on stdout (the agent's log file when detached).
// Callers never pass a secret value; errors are logged by message and stack only.

export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string, error?: unknown): void
}

function line(level: string, message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${level} ${message}\n`)
}

export const log: Logger = {
  info: (message) => line('info', message),
  warn: (message) => line('warn', message),
  error: (message, error) =>
    line(
      'error',
      error instanceof Error ? `${message}: ${error.stack ?? error.message}` : `${message}: ${String(error)}`,
    ),
}
