// An interactive session (`submit -i/-t`): the agent created the container with the resolved env
// and files; this terminal is attached to it with `docker start --attach` until it ends.
import {execa} from 'execa'
import {usage} from './base.js'

/** `-t` needs this process's stdin and stdout to be a terminal: one line otherwise. */
export function checkSessionTerminal(tty: boolean): void {
  if (tty && !(process.stdin.isTTY && process.stdout.isTTY)) {
    throw usage('-t needs a terminal: run it from a terminal, or drop -t (-i alone attaches stdin and stdout).')
  }
}

/**
 * Starts the container attached to this terminal (stdin too with `interactive`) and resolves
 * with its exit code (null when docker could not say). Signals this process gets while attached
 * are docker's to forward, not ours to die of.
 */
export async function attachSession(
  containerId: string,
  interactive: boolean,
  dockerArgs: string[] = [],
): Promise<number | null> {
  const ignore = () => undefined
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, ignore)
  try {
    const result = await execa(
      process.env.HUSH_DOCKER ?? 'docker',
      [...dockerArgs, 'start', '--attach', ...(interactive ? ['--interactive'] : []), containerId],
      {stdio: 'inherit', reject: false},
    )
    return typeof result.exitCode === 'number' ? result.exitCode : null
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, ignore)
  }
}
