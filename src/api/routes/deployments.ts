// Deployments: a submit launches on a target (local docker run, a Swarm service) with the env
// its secrets resolve to; list, show, resubmit, terminate and the redacted logs stream.
import * as v from 'valibot'
import type {DeploymentTarget, RunOptions} from '../rules/run-options.js'
import {flag, type InputOf, NoInput, route, runOptions, streamRoute, text, texts, wholeNumber} from './route.js'

export type DeploymentState = 'starting' | 'running' | 'exited' | 'failed' | 'terminated'

export const TERMINAL_STATES: readonly DeploymentState[] = ['exited', 'failed', 'terminated']

const SubmitInput = v.strictObject({
  image: text,
  /** Secret references as given: `NAME`, `KEY=NAME` or `KEY=NAME:SRCKEY`, in command-line order. */
  secrets: texts,
  /** Plain env values (visible by design), as `KEY=VALUE`, in command-line order. A value may be a
   * template: `{{NAME:KEY}}` is replaced by that secret value (the resolved value is secret). */
  env: texts,
  /** `--secret-file NAME`: each key of NAME mounted read-only at /run/secrets/KEY. */
  secretFiles: texts,
  name: v.nullish(text),
  command: texts,
  options: v.optional(runOptions),
  /** The docker context whose engine runs it (absent: the agent's own engine). */
  context: v.nullish(text),
  /** `swarm`: a Docker Swarm service on the agent's engine (a manager); absent: a local container. */
  target: v.optional(v.picklist(['local', 'swarm'] as const satisfies readonly DeploymentTarget[])),
  /** false skips the sensitive-key warnings. */
  warn: flag,
})
export type SubmitInput = InputOf<typeof SubmitInput>

export interface SubmitOutput {
  id: string
  /** The container's id; '' for a Swarm service (see serviceId). */
  containerId: string
  /** A Swarm service's id (target swarm only). */
  serviceId?: string
  state: DeploymentState
  image: string
  /** One line per `--env` whose key or value looks sensitive (advisory; the submit went ahead). */
  warnings: string[]
}

/** One current task of a Swarm service (desired state running, or the latest of its slot). */
export interface SwarmTask {
  id: string
  /** The node's hostname ('' while not yet assigned). */
  node: string
  /** docker's task state: new, pending, assigned, preparing, starting, running, rejected, failed, shutdown... */
  state: string
  /** The hush revision the task runs (its hush.revision label). */
  revision: number | null
  error: string | null
}

export interface DeploymentSecret {
  name: string
  /** Present when NAME resolved to the secret scoped to the deployment's app (absent: the shared one). */
  app?: string
  /** `env`, then `files`: one list, as the spec's `status --json` fixes it. */
  keys: string[]
  /** The env keys this secret put in the container (an `--env` template's key included). */
  env: string[]
  /** The container paths of its `--secret-file` files (`/run/secrets/KEY`). */
  files: string[]
  /** The secret's version when injected. */
  version: number
}

/** One deployment, exactly the spec's `status --json` shape. */
export interface DeploymentInfo {
  id: string
  name: string | null
  image: string
  state: DeploymentState
  revision: number
  containerId: string | null
  exitCode: number | null
  stale: boolean
  env: Record<string, string>
  secrets: DeploymentSecret[]
  createdAt: string
  /** `local`: a container; `swarm`: a Docker Swarm service. */
  target: DeploymentTarget
  /** Swarm only: the service id (null until created). */
  serviceId?: string | null
  /** Swarm only: tasks running and tasks wanted. */
  replicas?: {running: number; desired: number}
  /** Swarm only: the current tasks. */
  tasks?: SwarmTask[]
  /** Swarm only: docker's UpdateStatus of the service (state null: never updated). */
  update?: {state: string | null; message: string | null}
}

/** A deployment with what `status ID` shows besides the JSON shape. */
export interface DeploymentDetail extends DeploymentInfo {
  command: string[]
  refs: string[]
  /** `--secret-file` names as given. */
  secretFiles: string[]
  options: RunOptions
  /** The docker context of its engine; null: the agent's own. */
  context: string | null
  updatedAt: string
}

export interface ResubmitOutput extends SubmitOutput {
  revision: number
  previousContainerId: string | null
  /** Swarm only: the service's tasks once the rolling update finished. */
  tasks?: SwarmTask[]
}

const DeploymentId = v.strictObject({id: text})
type DeploymentId = InputOf<typeof DeploymentId>
/** `grace`: seconds between SIGTERM and SIGKILL (default 10). */
const TerminateInput = v.strictObject({id: text, grace: wholeNumber('grace', 0, 3600, ' of seconds')})
type TerminateInput = InputOf<typeof TerminateInput>
/** `follow` keeps streaming until the container stops, then an end frame. */
const LogsInput = v.strictObject({id: text, follow: flag})
type LogsInput = InputOf<typeof LogsInput>

export const deploymentRoutes = {
  submit: route<SubmitInput, SubmitOutput>('POST', '/v1/deployments', SubmitInput),
  listDeployments: route<NoInput, DeploymentDetail[]>('GET', '/v1/deployments', NoInput, {refresh: true}),
  getDeployment: route<DeploymentId, DeploymentDetail>('GET', '/v1/deployments/:id', DeploymentId, {
    refresh: true,
  }),
  resubmit: route<DeploymentId, ResubmitOutput>('POST', '/v1/deployments/:id/resubmit', DeploymentId),
  terminate: route<TerminateInput, DeploymentDetail>('POST', '/v1/deployments/:id/terminate', TerminateInput),
  /** The container's output, redacted, as frames. */
  logs: streamRoute<LogsInput>('GET', '/v1/deployments/:id/logs', LogsInput),
} as const
