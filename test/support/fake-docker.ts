// A docker runner for in-process command tests (the CommandDeps `docker`): it notes every command
// line a command runs and answers from the test's table, so submit's session, doctor and the engine
// check run without an engine. e2e tests run the real one.
import type {DockerResult, DockerRunner} from '../../src/config/docker.js'

export interface FakeDocker extends DockerRunner {
  /** Every docker command line run, in order; `attached` for the ones run on the terminal. */
  readonly calls: Array<{args: string[]; attached: boolean}>
}

export interface FakeDockerAnswers {
  /** The answer to `docker ARGS` (default: exit 1, "no answer" on stderr). */
  run?: (args: string[]) => Partial<DockerResult>
  /** The exit code of an attached `docker ARGS` (default 0). */
  attach?: (args: string[]) => number | null
}

export function fakeDocker(answers: FakeDockerAnswers = {}): FakeDocker {
  const calls: FakeDocker['calls'] = []
  return {
    command: 'docker',
    calls,
    async run(args) {
      calls.push({args, attached: false})
      return {exitCode: 1, stdout: '', stderr: 'fake docker: no answer', missing: false, ...answers.run?.(args)}
    },
    async attach(args) {
      calls.push({args, attached: true})
      return answers.attach ? answers.attach(args) : 0
    },
  }
}

/** `docker context inspect` as it answers for an environment whose engine is HOST. */
export function contextAnswer(host: string): Partial<DockerResult> {
  return {exitCode: 0, stdout: JSON.stringify({Name: 'default', Endpoints: {docker: {Host: host}}}), stderr: ''}
}
