// The engine the agent uses is the one this shell sees: the agent keeps the docker environment
// (DOCKER_HOST, DOCKER_CONTEXT, ...) of the command that started it, so a command from a shell
// pointed elsewhere would launch on an engine its user does not look at. Such a command is
// refused (not sent with its own engine: the agent reconciles, terminates and reads logs later,
// without this shell; a docker context, recorded per deployment, is how a deployment names
// another engine).
import type {EngineStatus} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {HushClient} from '../client/hush-client.js'
import {type DockerRunner, dockerEnvironmentTag, type EngineEndpoint, inspectEngine} from '../config/docker.js'

/** This shell's side of the comparison: its environment, and how it runs docker. */
export interface Shell {
  env: NodeJS.ProcessEnv
  docker: DockerRunner
}

export interface EngineComparison {
  /** This shell's engine; undefined when its docker CLI cannot say (the agent's check speaks then). */
  shell: EngineEndpoint | undefined
  agent: EngineStatus
  /** True when both are known and differ. */
  differ: boolean
}

/** This shell's docker engine next to the agent's. */
export async function compareEngines(hush: HushClient, here: Shell, agent?: EngineStatus): Promise<EngineComparison> {
  const [shell, agentEngine] = await Promise.all([
    inspectEngine(null, here.env, here.docker).catch(() => undefined),
    agent ?? hush.engineStatus(),
  ])
  const differ = shell !== undefined && agentEngine.host !== '' && shell.host !== agentEngine.host
  return {shell, agent: agentEngine, differ}
}

/** What to do when they differ, in the words of every message that says so. */
export const ENGINE_FIX =
  "run `hush daemon stop` (the next command starts the agent with this shell's DOCKER_HOST and context), or pass --context NAME"

/** Refuses, in one line naming both engines and the fix, when this shell's engine is not the agent's. */
export async function requireAgentEngine(hush: HushClient, here: Shell): Promise<void> {
  const {hello} = await hush.connection()
  // The same docker environment reaches the same engine: nothing to run docker for (about 30 ms).
  if (hello.dockerEnvironment === dockerEnvironmentTag(here.env)) return
  const {shell, agent, differ} = await compareEngines(hush, here)
  if (!differ || !shell) return
  throw new HushError(
    'bad_request',
    `This shell's docker engine is ${shell.host}, but the hush agent's (pid ${hello.pid}) is ${agent.host}: ${ENGINE_FIX}. Nothing was launched.`,
  )
}

/** The agent's engine in one line (daemon status, doctor). */
export function describeEngine(engine: EngineStatus): string {
  if (!engine.host) return `cannot be read (${engine.problem})`
  return `${engine.host} (docker context ${engine.context}${engine.tls ? ', TLS' : ''})`
}
