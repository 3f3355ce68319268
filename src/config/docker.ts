// The docker CLI as both the CLI and the agent find it: which binary (HUSH_DOCKER), how a command
// runs it (a runner a test can replace), the arguments that select a docker context, and which
// engine a context (or the environment) reaches.
import {execa} from 'execa'
import {HushError, quoted} from '../api/errors.js'
import {sha256Hex} from './digest.js'

/** The docker CLI that hush runs, in the agent and the CLI alike. */
export const DOCKER = process.env.HUSH_DOCKER ?? 'docker'

/** What a docker run read: its exit code (undefined when it had none, e.g. timed out), output, and whether the binary is missing. */
export interface DockerResult {
  exitCode: number | undefined
  stdout: string
  stderr: string
  missing: boolean
}

/** The docker CLI as a command runs it: the real one (`systemDocker`), or a test's fake. */
export interface DockerRunner {
  /** The binary run (HUSH_DOCKER, else docker). */
  readonly command: string
  /** Runs docker with ARGS, stdin closed, and reads its output; ENV replaces the environment when given. */
  run(args: string[], options?: {env?: NodeJS.ProcessEnv; timeoutMs?: number}): Promise<DockerResult>
  /**
   * Runs docker attached to this terminal (stdio inherited) and resolves with its exit code (null
   * when docker could not say). Signals this process gets meanwhile are docker's to forward, not ours to die of.
   */
  attach(args: string[]): Promise<number | null>
}

/** The docker CLI on this machine. */
export function systemDocker(): DockerRunner {
  return {
    command: DOCKER,
    async run(args, options = {}) {
      const result = await execa(DOCKER, args, {
        reject: false,
        stdin: 'ignore',
        ...(options.timeoutMs ? {timeout: options.timeoutMs} : {}),
        ...(options.env ? {env: options.env, extendEnv: false} : {}),
      })
      return {
        exitCode: typeof result.exitCode === 'number' ? result.exitCode : undefined,
        stdout: String(result.stdout),
        stderr: String(result.stderr),
        missing: (result as {code?: string}).code === 'ENOENT',
      }
    },
    async attach(args) {
      const ignore = () => undefined
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, ignore)
      try {
        const result = await execa(DOCKER, args, {stdio: 'inherit', reject: false})
        return typeof result.exitCode === 'number' ? result.exitCode : null
      } finally {
        for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, ignore)
      }
    },
  }
}

const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/

/** `--context NAME` before docker's command, or nothing for the agent's own engine. */
export function engineArgs(context: string | null | undefined): string[] {
  return context ? ['--context', context] : []
}

/** The docker CLI is missing, in the words every docker call uses. */
export function dockerMissing(): HushError {
  return new HushError(
    'docker_unavailable',
    `The docker CLI is not installed (no \`${DOCKER}\` on PATH): install Docker (e.g. apt-get install docker.io).`,
  )
}

const DOCKER_ENV_EXACT = new Set(['HOME', 'PATH', 'HUSH_DOCKER'])

/**
 * The variables of `env` that decide which engine the docker CLI reaches and how (every DOCKER_*,
 * HOME for ~/.docker, PATH and HUSH_DOCKER for the binary), as one digest: two processes with the
 * same tag run the same docker with the same settings, so they reach the same engine; the agent
 * says its own in hello (`dockerEnvironment`).
 */
export function dockerEnvironmentTag(env: NodeJS.ProcessEnv): string {
  const pairs = Object.entries(env)
    .filter(([name, value]) => value !== undefined && (name.startsWith('DOCKER_') || DOCKER_ENV_EXACT.has(name)))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return sha256Hex(JSON.stringify(pairs), 32)
}

/** Where a docker engine is, as the docker CLI would reach it from an environment. */
export interface EngineEndpoint {
  /** The docker context ('default': DOCKER_HOST, else the local socket). */
  context: string
  /** Its endpoint: `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://...`. */
  host: string
  /** True when the docker CLI talks TLS to it (certificates, DOCKER_TLS_VERIFY / DOCKER_TLS, skip-tls-verify). */
  tls: boolean
}

/**
 * The engine that `docker` (with `--context context`, else the environment's DOCKER_HOST,
 * DOCKER_CONTEXT or current context) reaches from `env`, read from `docker context inspect`.
 */
export async function inspectEngine(
  context: string | null | undefined,
  env: NodeJS.ProcessEnv = process.env,
  docker: DockerRunner = systemDocker(),
): Promise<EngineEndpoint> {
  if (context && !CONTEXT_NAME.test(context)) {
    throw new HushError('bad_request', `Invalid --context ${quoted(context)}: give a docker context name.`)
  }
  const result = await docker
    .run(['context', 'inspect', '--format', '{{json .}}', ...(context ? [context] : [])], {env})
    .catch((error: Error) => {
      throw new HushError(
        'docker_unavailable',
        `Cannot run the docker CLI to read its context: ${error.message.split('\n')[0]}`,
      )
    })
  if (result.missing) throw dockerMissing()
  if (result.exitCode !== 0) {
    if (context) {
      throw new HushError(
        'bad_request',
        `No docker context ${context}: see \`docker context ls\`, or create it with \`docker context create ${context} --docker host=...\`.`,
      )
    }
    throw new HushError(
      'docker_unavailable',
      `The docker CLI cannot read its engine's settings (${quoted(result.stderr.split('\n')[0])}): check DOCKER_HOST, DOCKER_CONTEXT and \`docker context ls\`.`,
    )
  }
  const facts = JSON.parse(result.stdout) as {
    Name?: string
    Endpoints?: {docker?: {Host?: string; SkipTLSVerify?: boolean}}
    TLSMaterial?: Record<string, unknown>
  }
  const name = facts.Name ?? context ?? 'default'
  const tls =
    Object.keys(facts.TLSMaterial ?? {}).length > 0 ||
    facts.Endpoints?.docker?.SkipTLSVerify === true ||
    (name === 'default' && Boolean(env.DOCKER_TLS_VERIFY || env.DOCKER_TLS))
  return {context: name, host: facts.Endpoints?.docker?.Host ?? '', tls}
}

/** The docker client's and engine's versions for `hush doctor`; a missing part is undefined, with why. */
export async function dockerVersions(
  docker: DockerRunner = systemDocker(),
): Promise<{command: string; client?: string; server?: string; error?: string}> {
  const result = await docker.run(['version', '--format', '{{.Client.Version}} {{.Server.Version}}'], {
    timeoutMs: 20_000,
  })
  if (result.missing) return {command: docker.command}
  const [client, server] = result.stdout.trim().split(/\s+/)
  return {
    command: docker.command,
    client: client || 'client',
    server: result.exitCode === 0 && server ? server : undefined,
    error: result.stderr.trim().split('\n')[0] || `exit ${result.exitCode}`,
  }
}
