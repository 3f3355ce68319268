// Shared by the leak tests (local and Swarm): what a local user could have seen of the processes
// that ran while a scenario did.
import {readdirSync, readFileSync} from 'node:fs'

/**
 * Samples every process's argv and environment (/proc/PID/cmdline and environ, ours excepted; or
 * only the `parts` given) until stopped: what a local user with `ps e` could have seen while the
 * scenario ran.
 */
export function watchProcesses(parts: Array<'cmdline' | 'environ'> = ['cmdline', 'environ']): {stop(): Set<string>} {
  const seen = new Set<string>()
  let running = true
  const sample = () => {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name) && name !== String(process.pid))) {
      for (const part of parts) {
        try {
          seen.add(readFileSync(`/proc/${pid}/${part}`).toString('latin1'))
        } catch {
          // gone already, or not ours to read
        }
      }
    }
    if (running) setTimeout(sample, 5)
  }
  sample()
  return {
    stop() {
      running = false
      return seen
    },
  }
}
