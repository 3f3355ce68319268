// What a submit asks for, checked whole before anything resolves or runs: image, name, command,
// secret references, plain env, the pass-through docker options, and the advisory warnings.
import type {DeploymentTarget, SubmitInput} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {checkRunOptions, type RunOptions} from '../api/run-options.js'
import {formatSecretFileSpec, parseSecretFileSpec} from '../api/secret-file-spec.js'
import {envWarning} from '../api/sensitive.js'
import type {SecretRef} from './deployments-store.js'
import {parsePlainEnv, parseSecretRef} from './resolve.js'

const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/

export interface CheckedSubmit {
  image: string
  name: string | null
  command: string[]
  refs: SecretRef[]
  env: Record<string, string>
  /** `--secret-file` specs (canonical text, see api/secret-file-spec.ts), in command-line order, one per name. */
  files: string[]
  options: RunOptions
  /** `--context NAME` (checked against docker's contexts when launching); null: the agent's engine. */
  context: string | null
  /** `local` (a container) or `swarm` (a service on the agent's engine). */
  target: DeploymentTarget
  warnings: string[]
}

export function checkSubmitInput(input: SubmitInput): CheckedSubmit {
  const image = typeof input.image === 'string' ? input.image : ''
  if (!IMAGE.test(image)) {
    throw new HushError(
      'bad_request',
      `Invalid image ${JSON.stringify(image).slice(0, 140)}: give an image reference such as busybox:1.36.`,
    )
  }
  const name = input.name === undefined || input.name === null ? null : String(input.name)
  if (name !== null && !DOCKER_NAME.test(name)) {
    throw new HushError(
      'invalid_name',
      `Invalid --name ${JSON.stringify(name).slice(0, 140)}: use letters, digits, '_', '.' or '-'.`,
    )
  }
  const command = input.command ?? []
  if (!Array.isArray(command) || command.some((arg) => typeof arg !== 'string' || arg.includes('\0'))) {
    throw new HushError('bad_request', '`command` must be a list of arguments.')
  }
  if (input.secrets !== undefined && !Array.isArray(input.secrets))
    throw new HushError('bad_request', '`secrets` must be a list.')
  if (input.env !== undefined && !Array.isArray(input.env))
    throw new HushError('bad_request', '`env` must be a list of KEY=VALUE.')
  const refs = (input.secrets ?? []).map(parseSecretRef)
  const env = parsePlainEnv(input.env ?? [])
  if (input.secretFiles !== undefined && !Array.isArray(input.secretFiles))
    throw new HushError('bad_request', '`secretFiles` must be a list of secret names.')
  // One spec per secret name: a later one replaces an earlier one in its place.
  const specs = new Map<string, string>()
  for (const text of input.secretFiles ?? []) {
    const spec = parseSecretFileSpec(text)
    specs.set(spec.name, formatSecretFileSpec(spec))
  }
  const files = [...specs.values()]
  if (input.target !== undefined && input.target !== 'local' && input.target !== 'swarm')
    throw new HushError('bad_request', '`target` must be local or swarm.')
  const target: DeploymentTarget = input.target ?? 'local'
  const options = checkRunOptions(input.options, target)
  const warnings =
    input.warn === 'false'
      ? []
      : Object.entries(env)
          .map(([key, value]) => envWarning(key, value))
          .filter((line): line is string => line !== undefined)

  const context = input.context === undefined || input.context === null || input.context === '' ? null : input.context
  if (context !== null && typeof context !== 'string') throw new HushError('bad_request', '`context` must be a string.')
  if (context !== null && target === 'swarm')
    throw new HushError('bad_request', '--swarm runs on the agent’s engine (a Swarm manager): drop --context.')
  return {image, name, command, refs, env, files, options, context, target, warnings}
}
