// The agent process guards itself before it opens the store: no inspector or preloaded code (they
// could read every value), no SIGUSR1 inspector, no memory in a core dump, its working directory
// in its state directory, and an environment pruned to its own variables.
import {readFileSync, writeFileSync} from 'node:fs'
import inspector from 'node:inspector'
import {HushError} from '../../api/errors.js'
import {isAgentVariable} from '../../config/agent-env.js'
import type {HushPaths} from '../../config/paths.js'
import type {Logger} from './log.js'

/** Node options that open a debugger, load code before the agent's, or dump its heap. */
const UNSAFE_OPTION =
  /^(--inspect|--debug|--require|-r$|--import|--loader|--experimental-loader|--heapsnapshot|--heap-prof)/

/** The unsafe options among `execArgv` and NODE_OPTIONS. */
export function unsafeNodeOptions(execArgv: string[], nodeOptions: string | undefined): string[] {
  const words = [...execArgv, ...(nodeOptions ?? '').split(/\s+/).filter(Boolean)]
  return words.filter((word) => UNSAFE_OPTION.test(word)).map((word) => word.split('=')[0])
}

/** The soft RLIMIT_CORE from /proc/self/limits: 0, a number of bytes, or Infinity; undefined when unreadable. */
export function coreLimit(limits = '/proc/self/limits'): number | undefined {
  try {
    const line = readFileSync(limits, 'utf8')
      .split('\n')
      .find((text) => text.startsWith('Max core file size'))
    const soft = line?.slice('Max core file size'.length).trim().split(/\s+/)[0]
    if (soft === undefined) return undefined
    return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft)
  } catch {
    return undefined
  }
}

/**
 * Refuses to run with an inspector or preload; then switches the SIGUSR1 inspector off, keeps
 * memory out of any core dump (coredump_filter 0: no anonymous or file mapping is written, even
 * when RLIMIT_CORE allows a core), moves to the state directory and prunes the environment.
 */
export function guardAgentProcess(paths: HushPaths, log: Logger): void {
  const unsafe = unsafeNodeOptions(process.execArgv, process.env.NODE_OPTIONS)
  if (unsafe.length > 0 || inspector.url() !== undefined) {
    inspector.close()
    const found = unsafe.length ? unsafe.join(' ') : 'an open inspector'
    throw new HushError(
      'insecure_environment',
      `The hush agent refuses to run with ${found}: a debugger or preloaded code could read every value. Start it without them (unset NODE_OPTIONS), or let any hush command start it.`,
    )
  }
  // With a listener, SIGUSR1 no longer opens an inspector on 127.0.0.1:9229 for any local user.
  process.on('SIGUSR1', () => log.warn('ignored SIGUSR1: the agent never opens an inspector'))
  try {
    writeFileSync('/proc/self/coredump_filter', '0')
  } catch {
    // not Linux: RLIMIT_CORE below is what remains
  }
  const limit = coreLimit()
  if (limit !== undefined && limit !== 0) {
    log.warn(
      'core dumps are allowed for this agent (ulimit -c is not 0): its memory is kept out of them (coredump_filter 0); hush commands start the agent with ulimit -c 0',
    )
  }
  // A log line that cannot be written (the store's disk is full) is dropped, not fatal.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined)
  process.chdir(paths.home)
  for (const name of Object.keys(process.env)) if (!isAgentVariable(name)) delete process.env[name]
}
