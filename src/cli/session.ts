// An interactive session (`submit -i/-t`): the agent created the container with the resolved env
// and files; this terminal is attached to it with `docker start --attach` until it ends.
import type {DockerRunner} from '../config/docker.js'
import {usage} from './base.js'
import type {IOStreams} from './io.js'

/** `-t` needs the command's stdin and stdout to be a terminal: one line otherwise. */
export function checkSessionTerminal(io: IOStreams, tty: boolean): void {
  if (tty && !(io.isTTY.stdin && io.isTTY.stdout)) {
    throw usage('-t needs a terminal: run it from a terminal, or drop -t (-i alone attaches stdin and stdout).')
  }
}

/**
 * Starts the container attached to this terminal (stdin too with `interactive`) and resolves
 * with its exit code (null when docker could not say).
 */
export function attachSession(
  docker: DockerRunner,
  containerId: string,
  interactive: boolean,
  dockerArgs: string[] = [],
): Promise<number | null> {
  return docker.attach([...dockerArgs, 'start', '--attach', ...(interactive ? ['--interactive'] : []), containerId])
}
