// Which docker engine a deployment lives on: a docker context (`submit --context`, recorded per
// deployment) or, when none, the one of the agent's environment; the docker CLI arguments that
// select it, and whether the engine shares this machine's files (secret files need that).
import {execa} from 'execa'
import {HushError, quoted} from '../api/errors.js'

/** The docker CLI the agent runs. */
export const DOCKER = process.env.HUSH_DOCKER ?? 'docker'

const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/

/** `--context NAME` before docker's command, or nothing for the agent's own engine. */
export function engineArgs(context: string | null | undefined): string[] {
  return context ? ['--context', context] : []
}

/**
 * An engine is local when its context's endpoint is a Unix socket: the daemon behind it runs on
 * this machine and bind-mounts this machine's files. tcp://, ssh:// and the rest count as remote
 * (even tcp://127.0.0.1, which is often a VM's forwarded port).
 */
export function isLocalEndpoint(host: string): boolean {
  return host.startsWith('unix://')
}

/** Checks that `context` exists and, with `files`, that its engine is local; returns its endpoint. */
export async function checkContext(context: string, files: boolean): Promise<string> {
  if (!CONTEXT_NAME.test(context)) {
    throw new HushError('bad_request', `Invalid --context ${quoted(context)}: give a docker context name.`)
  }
  const result = await execa(DOCKER, ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}', context], {
    reject: false,
    stdin: 'ignore',
  }).catch((error: Error) => {
    throw new HushError(
      'docker_unavailable',
      `Cannot run the docker CLI to read context ${context}: ${error.message.split('\n')[0]}`,
    )
  })
  if (result.exitCode !== 0) {
    throw new HushError(
      'bad_request',
      `No docker context ${context}: see \`docker context ls\`, or create it with \`docker context create ${context} --docker host=...\`.`,
    )
  }
  const host = result.stdout.trim()
  if (files && !isLocalEndpoint(host)) {
    throw new HushError(
      'bad_request',
      `--secret-file needs an engine on this machine, and context ${context} is at ${host}: secret files are tmpfs files of this machine that the engine bind-mounts; use --secret (env) there.`,
    )
  }
  return host
}
