// The docker fault trap of the crash tests: the agent's docker (HUSH_DOCKER) is a wrapper that runs
// docker as usual, except for the next command the test arms it for: that one says so (hit), waits a
// moment for the test to kill the agent, runs docker all the same (or not at all), and says when it
// is done. The test kills the agent at the most dangerous moment, as often as it likes.
import {chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {waitFor} from './helpers.js'

/**
 * The wrapper: a docker command that begins with a line of $HUSH_TEST_TRAP/armed disarms it (only one
 * command takes the trap), touches hit, sleeps 0.4 s, runs docker when $HUSH_TEST_TRAP/proceed exists
 * (else fails), then touches done.
 */
const WRAPPER = `#!/bin/sh
if [ -f "$HUSH_TEST_TRAP/armed" ]; then
  while IFS= read -r command; do
    case "$* " in
      "$command "*)
        if rm "$HUSH_TEST_TRAP/armed" 2>/dev/null; then
          touch "$HUSH_TEST_TRAP/hit"
          sleep 0.4
          code=1
          if [ -e "$HUSH_TEST_TRAP/proceed" ]; then docker "$@"; code=$?; fi
          touch "$HUSH_TEST_TRAP/done"
          exit $code
        fi
        ;;
    esac
  done <"$HUSH_TEST_TRAP/armed"
fi
exec docker "$@"
`

export interface DockerTrap {
  /** The trap's directory: the wrapper and its marks (armed, proceed, hit, done). */
  dir: string
  /** For makeHome: HUSH_DOCKER (the wrapper) and HUSH_TEST_TRAP (its directory). */
  env: Record<string, string>
  /**
   * Arms the trap for the next docker command that begins with one of `commands` (`run`, `stop`,
   * `service create` ...); with `proceed: false` docker never runs that command.
   */
  arm(commands: string[], options?: {proceed?: boolean}): void
  /** Resolves once the armed command has reached the trap. */
  hit(timeoutMs: number): Promise<void>
  /** Resolves once the trapped command is over (docker has run, or was skipped). */
  done(timeoutMs: number): Promise<void>
  /** Removes the wrapper and its directory. */
  remove(): void
}

export function dockerTrap(): DockerTrap {
  const dir = mkdtempSync(join(tmpdir(), 'hush-trap-'))
  const wrapper = join(dir, 'docker-wrapper.sh')
  writeFileSync(wrapper, WRAPPER)
  chmodSync(wrapper, 0o755)
  return {
    dir,
    env: {HUSH_DOCKER: wrapper, HUSH_TEST_TRAP: dir},
    arm(commands, {proceed = true} = {}) {
      for (const name of ['hit', 'done', 'proceed']) rmSync(join(dir, name), {force: true})
      if (proceed) writeFileSync(join(dir, 'proceed'), '')
      writeFileSync(join(dir, 'armed'), `${commands.join('\n')}\n`)
    },
    hit: (timeoutMs) => waitFor(() => existsSync(join(dir, 'hit')), timeoutMs),
    done: (timeoutMs) => waitFor(() => existsSync(join(dir, 'done')), timeoutMs),
    remove: () => rmSync(dir, {recursive: true, force: true}),
  }
}
