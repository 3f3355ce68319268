// Which docker engine a deployment lives on: a docker context (`submit --context`, recorded per
// deployment) or, when none, the one of the agent's environment; the docker CLI arguments that
// select it, and whether the engine shares this machine's files (secret files need that).
import {execa} from 'execa'
import {HushError, quoted} from '../../api/errors.js'

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

/** The docker CLI is missing, in the words every docker call uses. */
export function dockerMissing(): HushError {
  return new HushError(
    'docker_unavailable',
    `The docker CLI is not installed (no \`${DOCKER}\` on PATH): install Docker (e.g. apt-get install docker.io).`,
  )
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
): Promise<EngineEndpoint> {
  if (context && !CONTEXT_NAME.test(context)) {
    throw new HushError('bad_request', `Invalid --context ${quoted(context)}: give a docker context name.`)
  }
  const result = await execa(DOCKER, ['context', 'inspect', '--format', '{{json .}}', ...(context ? [context] : [])], {
    reject: false,
    stdin: 'ignore',
    env,
    extendEnv: false,
  }).catch((error: Error) => {
    throw new HushError(
      'docker_unavailable',
      `Cannot run the docker CLI to read its context: ${error.message.split('\n')[0]}`,
    )
  })
  if ((result as {code?: string}).code === 'ENOENT') throw dockerMissing()
  if (result.exitCode !== 0) {
    if (context) {
      throw new HushError(
        'bad_request',
        `No docker context ${context}: see \`docker context ls\`, or create it with \`docker context create ${context} --docker host=...\`.`,
      )
    }
    throw new HushError(
      'docker_unavailable',
      `The docker CLI cannot read its engine's settings (${quoted(String(result.stderr).split('\n')[0])}): check DOCKER_HOST, DOCKER_CONTEXT and \`docker context ls\`.`,
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

/** True for an engine reached over TCP without TLS: what goes to it travels in clear. */
export function isPlainTcp(engine: EngineEndpoint): boolean {
  return /^(tcp|http):\/\//.test(engine.host) && !engine.tls
}

/** How a message names an engine: the context asked for, else the agent's own. */
function engineName(context: string | null | undefined, engine: EngineEndpoint): string {
  if (context) return `context ${context}`
  return engine.context === 'default' ? "the agent's engine" : `the agent's engine (docker context ${engine.context})`
}

export interface EngineCheck {
  /** The launch mounts secret files (the engine must share this machine's files). */
  files: boolean
  /** The launch carries values (secrets or secret files). */
  values: boolean
  /** The allowPlainTcp preference: values may go to an engine over TCP without TLS. */
  allowPlainTcp: boolean
}

/**
 * Checks the engine a launch goes to (`context`, else the agent's): it exists; with secret files,
 * it is local (one rule for contexts and DOCKER_HOST alike); with values, it is not plain TCP
 * unless allowPlainTcp. Returns its endpoint.
 */
export async function checkEngine(context: string | null | undefined, check: EngineCheck): Promise<EngineEndpoint> {
  const engine = await inspectEngine(context)
  const name = engineName(context, engine)
  if (check.files && !isLocalEndpoint(engine.host)) {
    throw new HushError(
      'bad_request',
      `--secret-file needs an engine on this machine, and ${name} is at ${engine.host}: secret files are tmpfs files of this machine that the engine bind-mounts; use --secret (env) there.`,
    )
  }
  if (check.values && isPlainTcp(engine) && !check.allowPlainTcp) {
    throw new HushError(
      'bad_request',
      `${name[0].toUpperCase()}${name.slice(1)} is at ${engine.host}, plain TCP without TLS: the values would travel to it in clear. Use TLS (DOCKER_TLS_VERIFY and certificates, or a context with them) or an ssh:// host, or set "allowPlainTcp": true in preferences.json to send them anyway. Nothing was launched.`,
    )
  }
  return engine
}
