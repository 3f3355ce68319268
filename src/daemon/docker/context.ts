// Whether a launch may go to the docker engine a context reaches (`submit --context`, recorded per
// deployment, or the agent's own): secret files need an engine that shares this machine's files,
// values no plain TCP unless allowed. Which engine a context reaches: config/docker.ts.
import {HushError} from '../../api/errors.js'
import {type EngineEndpoint, inspectEngine} from '../../config/docker.js'

/**
 * An engine is local when its context's endpoint is a Unix socket: the daemon behind it runs on
 * this machine and bind-mounts this machine's files. tcp://, ssh:// and the rest count as remote
 * (even tcp://127.0.0.1, which is often a VM's forwarded port).
 */
export function isLocalEndpoint(host: string): boolean {
  return host.startsWith('unix://')
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
