// What a submit asks for, checked whole before anything resolves or runs: image, name, command,
// secret references, plain env, the pass-through docker options, and the advisory warnings.
import type {DeploymentTarget, SubmitInput} from '../../api/contract.js'
import {HushError, quoted} from '../../api/errors.js'
import {parsePlainEnv} from '../../api/rules/env-pairs.js'
import {checkRunOptions, type RunOptions} from '../../api/rules/run-options.js'
import {parseSecretFileSpec, type SecretFileSpec} from '../../api/rules/secret-file-spec.js'
import {parseSecretRef, type SecretRef} from '../../api/rules/secret-ref.js'
import {envWarning} from '../../api/rules/sensitive.js'

const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/

export interface CheckedSubmit {
  image: string
  name: string | null
  command: string[]
  refs: SecretRef[]
  env: Record<string, string>
  /** `--secret-file` specs, parsed (api/rules/secret-file-spec.ts), in command-line order, one per name. */
  files: SecretFileSpec[]
  options: RunOptions
  /** `--context NAME` (checked against docker's contexts when launching); null: the agent's engine. */
  context: string | null
  /** `local` (a container) or `swarm` (a service on the agent's engine). */
  target: DeploymentTarget
  warnings: string[]
}

/** The input's types are the contract's (checked by the server); here the rules on their contents. */
export function checkSubmitInput(input: SubmitInput): CheckedSubmit {
  const image = input.image
  if (!IMAGE.test(image)) {
    throw new HushError('bad_request', `Invalid image ${quoted(image)}: give an image reference such as busybox:1.36.`)
  }
  const name = input.name ?? null
  if (name !== null && !DOCKER_NAME.test(name)) {
    throw new HushError(
      'invalid_name',
      `Invalid --name (not shown: it may be a value): use letters, digits, '_', '.' or '-'.`,
    )
  }
  const command = input.command ?? []
  if (command.some((arg) => arg.includes('\0'))) {
    throw new HushError('bad_request', '`command` must be a list of arguments without NUL.')
  }
  const refs = (input.secrets ?? []).map(parseSecretRef)
  const env = parsePlainEnv(input.env ?? [])
  // One spec per secret name: a later one replaces an earlier one in its place.
  const specs = new Map<string, SecretFileSpec>()
  for (const text of input.secretFiles ?? []) {
    const spec = parseSecretFileSpec(text)
    specs.set(spec.name, spec)
  }
  const files = [...specs.values()]
  const target: DeploymentTarget = input.target ?? 'local'
  const options = checkRunOptions(input.options, target)
  const warnings =
    input.warn === false
      ? []
      : Object.entries(env)
          .map(([key, value]) => envWarning(key, value))
          .filter((line): line is string => line !== undefined)

  const context = input.context || null
  if (context !== null && target === 'swarm')
    throw new HushError('bad_request', '--swarm runs on the agent’s engine (a Swarm manager): drop --context.')
  return {image, name, command, refs, env, files, options, context, target, warnings}
}
