// `hush submit`: what the command does once its flags are read. The container's command after --,
// the checks before anything is sent, the picker, the warning policy and the preferences it reads,
// then the launch and what follows it: the id, the followed output (--wait), the attached
// terminal of a session (-i/-t), or the wait for a Swarm service's replicas.

import type {SubmitOutput} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {checkEnvPairs} from '../api/rules/env-pairs.js'
import {isSession, type RunOptions} from '../api/rules/run-options.js'
import {envWarning} from '../api/rules/sensitive.js'
import {saysYes} from '../api/rules/yes-words.js'
import type {HushClient} from '../client/hush-client.js'
import {engineArgs} from '../config/docker.js'
import type {PickedSecrets} from '../ui/run-picker.js'
import {type CommandContext, usage} from './base.js'
import {printLogs} from './deployments.js'
import {requireAgentEngine} from './engine-match.js'
import {pickSecrets} from './pick.js'
import {attachSession, checkSessionTerminal} from './session.js'
import {SWARM_ENV_NOTICE, waitForReplicas} from './swarm-wait.js'

/** A submit's command line, its flags read. */
export interface SubmitOptions {
  image: string
  /** `--secret` as given, in order. */
  secrets: string[]
  /** `--pick`: choose the secrets in the picker instead. */
  pick: boolean
  /** `--env KEY=VALUE` as given, in order. */
  env: string[]
  secretFiles: string[]
  name: string | undefined
  /** `--context`: the docker context whose engine runs it. */
  context: string | undefined
  wait: boolean
  swarm: boolean
  noWarn: boolean
  /** The docker run options, checked for the target. */
  options: RunOptions
  /** The container's command (after --). */
  command: string[]
}

/** A submit's words: its flags and arguments before --, the container's command after it. */
export function splitCommand(argv: string[]): {flags: string[]; command: string[]} {
  const dash = argv.indexOf('--')
  return dash === -1 ? {flags: argv, command: []} : {flags: argv.slice(0, dash), command: argv.slice(dash + 1)}
}

/** A parse error, with the way to give the container's command when a word came without --. */
export function explainParseError(error: Error): never {
  if (/^Unexpected argument/.test(error.message)) {
    throw usage(
      `${error.message.split('\n')[0]}: put the container's command after --, as in \`hush submit IMAGE -- CMD ARGS\`.`,
    )
  }
  throw error
}

/** Checks the command line, launches, and follows what it launched as its flags ask. */
export async function submit(cmd: CommandContext, options: SubmitOptions): Promise<SubmitOutput> {
  const session = isSession(options.options)
  if (session) {
    if (options.wait)
      throw usage('--wait is for detached jobs: a session (-i/-t) already shows its output and ends with it.')
    checkSessionTerminal(cmd.io, options.options.tty === true)
  }
  checkEnvPairs(options.env)
  const picked = options.pick ? await pick(cmd, options.env, options.name) : undefined
  const secrets = picked?.secrets ?? options.secrets
  const hush = await cmd.hush()
  const warn = await shouldWarn(cmd, options.noWarn, options.env)
  const context = options.swarm ? undefined : (options.context ?? (await preferredContext(cmd)))
  // Without a context the agent's own engine runs it: it must be the one this shell sees.
  if (!context) await requireAgentEngine(hush, {env: cmd.io.env, docker: await cmd.docker()})
  const result = await hush.submit({
    image: options.image,
    secrets,
    env: options.env,
    secretFiles: [...options.secretFiles, ...(picked?.files ?? [])],
    name: options.name,
    command: options.command,
    options: options.options,
    ...(context ? {context} : {}),
    ...(options.swarm ? {target: 'swarm' as const} : {}),
    ...(warn ? {} : {warn: false}),
  })
  for (const warning of result.warnings) cmd.note(warning)
  if (options.swarm) return swarmSubmitted(cmd, hush, result, options.wait, secrets.length > 0)
  if (session) return attached(cmd, result, options.options.interactive === true, context)
  if (!options.wait) {
    cmd.log(result.id)
    cmd.note(
      `Submitted ${result.id} (container ${result.containerId.slice(0, 12)}, ${result.state}): see \`hush status ${result.id}\`, \`hush logs ${result.id}\`.`,
    )
    return result
  }
  cmd.note(`Submitted ${result.id}; following its output (secret values shown as ***):`)
  const end = await printLogs(hush, cmd.io, result.id, true, !cmd.json)
  if (!end)
    throw new HushError(
      'internal',
      `Lost the output of ${result.id} before it ended: see \`hush status ${result.id}\`.`,
    )
  cmd.io.exitCode = end.exitCode ?? 1
  return {...result, state: end.state}
}

/**
 * A Swarm service was created: the id on stdout (and, with --secret, the one-line reminder that
 * env values sit in the service spec); with --wait, returns once every replica runs this revision,
 * or fails with the task error.
 */
async function swarmSubmitted(
  cmd: CommandContext,
  hush: HushClient,
  result: SubmitOutput,
  wait: boolean,
  envSecrets: boolean,
): Promise<SubmitOutput> {
  if (envSecrets) cmd.note(SWARM_ENV_NOTICE)
  cmd.log(result.id)
  if (!wait) {
    cmd.note(
      `Submitted ${result.id} (service ${(result.serviceId ?? '').slice(0, 12)}): see \`hush status ${result.id}\`.`,
    )
    return result
  }
  cmd.note(`Submitted ${result.id}; waiting for every replica to run it...`)
  const converged = await waitForReplicas(hush, result.id)
  return {...result, state: converged.state}
}

/**
 * Attaches this terminal to the session's container until it ends, then reads its final state
 * (the agent then removes its secret files) over a new connection: a session may outlast the
 * agent's idle timeout. Exits with the container's code.
 */
async function attached(
  cmd: CommandContext,
  result: SubmitOutput,
  interactive: boolean,
  context: string | undefined,
): Promise<SubmitOutput> {
  cmd.note(`Session ${result.id} (container ${result.containerId.slice(0, 12)}): it ends when you leave it.`)
  const code = await attachSession(await cmd.docker(), result.containerId, interactive, engineArgs(context))
  const hush = await cmd.newHush()
  try {
    const after = await hush.status(result.id)
    cmd.io.exitCode = after.exitCode ?? code ?? 1
    if (after.state === 'starting') {
      // docker start never reached the container: the agent removes it when its start window ends.
      cmd.note(
        `Session ${result.id} did not start (docker start exited ${code ?? '?'}): the agent removes its container soon; see \`hush status ${result.id}\`.`,
      )
      return {...result, state: after.state}
    }
    cmd.note(
      `Session ${result.id} ended: ${after.state}${after.exitCode === null ? '' : ` (exit code ${after.exitCode})`}.`,
    )
    return {...result, state: after.state}
  } finally {
    await hush.close()
  }
}

/**
 * The secrets chosen in the picker, as `--secret NAME` flags in the order selected. The picker
 * reads the list over a connection of its own, closed when it ends: the user may sit in it past
 * the agent's idle timeout, so the submit then connects again (starting the agent if it exited).
 */
async function pick(cmd: CommandContext, env: string[], app: string | undefined): Promise<PickedSecrets> {
  const envKeys = env.map((pair) => pair.slice(0, pair.indexOf('=')))
  const hush = await cmd.newHush()
  try {
    return await pickSecrets(
      () => hush.listSecrets(),
      envKeys,
      {confirmLabel: 'launch', app, picker: cmd.picker},
      cmd.io,
    )
  } finally {
    await hush.close()
  }
}

/** The dockerContext preference ('' = none). */
async function preferredContext(cmd: CommandContext): Promise<string | undefined> {
  const {preference} = await import('../config/preferences.js')
  return preference(cmd.paths.home, 'dockerContext') || undefined
}

/** The advisory warning can be silenced by flag, by HUSH_NO_WARN=1 or by the warnSensitiveEnv preference. */
async function shouldWarn(cmd: CommandContext, noWarn: boolean, env: string[]): Promise<boolean> {
  if (noWarn || saysYes(cmd.io.env.HUSH_NO_WARN)) return false
  const eq = (pair: string) => pair.indexOf('=')
  if (!env.some((pair) => envWarning(pair.slice(0, eq(pair)), pair.slice(eq(pair) + 1)) !== undefined)) return true
  const {preference} = await import('../config/preferences.js')
  return preference(cmd.paths.home, 'warnSensitiveEnv')
}
