// The one table of `docker run` options hush passes through (docker/cli's opts.go habit): each
// option's name, short flag, kind, value check and docker argument. submit's flags, the agent's
// checks, the docker arguments, `status ID`, resubmit and the table in docs/reference.md all derive from it.
// Each option also says which targets take it: local containers (`docker run`), Swarm services
// (`docker service create`, under the flag name `swarm` gives), or both.
import {HushError, quoted} from '../errors.js'

export type RunOptionKind = 'string' | 'number' | 'boolean' | 'repeatable'

/** Where a deployment runs: a container on one engine, or a Docker Swarm service. */
export type DeploymentTarget = 'local' | 'swarm'

export interface RunOptionSpec {
  readonly name: string
  readonly char?: string
  readonly kind: RunOptionKind
  /** One line for `--help` and docs/reference.md. */
  readonly summary: string
  /** What a valid value looks like (beyond one line, no leading `-`), and how to say so. */
  readonly value?: {readonly pattern: RegExp; readonly expect: string}
  /** The `--name=VALUE` argument keeps its leading `-` (e.g. `--memory-swap=-1`). */
  readonly allowsDash?: RegExp
  /** The smallest whole number a `number` option takes (0 when absent). */
  readonly min?: number
  /** Services take it: `true` under the same flag, or `docker service create`'s own flag name. Absent: local only. */
  readonly swarm?: true | string
  /** A Swarm service option only (`--replicas`, ...): refused for a local container. */
  readonly swarmOnly?: true
  /**
   * Values refused as `-e` is (docker would copy values around hush with them): `pattern` finds
   * one, `what` names them (for the message and docs/reference.md), `fix` says what to give instead.
   */
  readonly refuses?: {readonly pattern: RegExp; readonly what: string; readonly fix: string}
}

const SIZE = {pattern: /^\d+(\.\d+)?[bkmgBKMG]?$/, expect: 'a size such as 512m or 16g'}
const NAME = {pattern: /^[A-Za-z0-9][\w.:/-]*$/, expect: 'a name'}
const ABSOLUTE = {pattern: /^\//, expect: 'an absolute path'}
const KEY_VALUE = {pattern: /^[A-Za-z0-9][\w.-]*=/, expect: 'KEY=VALUE'}
const DURATION = {
  pattern: /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/,
  expect: "a duration in docker's syntax such as 5s or 1m30s",
}
/**
 * Log options that make docker copy the container's environment or labels into every log record
 * (json-file, local, journald, gelf, fluentd, splunk...): `env=`, `env-regex=`, `labels-regex=`,
 * and a `tag=` template with anything but the container's and image's names and ids (a template
 * can expand `{{.ContainerEnv}}`).
 */
const LOG_OPT_CARRIERS = {
  pattern:
    /^(env|env-regex|labels-regex)=|^tag=.*?\{\{(?!\s*\.(ID|FullID|Name|ImageID|ImageFullID|ImageName|DaemonName)\s*\}\})/,
  what: 'env=, env-regex=, labels-regex= and a tag= template beyond {{.Name}}, {{.ID}}, {{.FullID}}, {{.ImageName}}, {{.ImageID}}, {{.ImageFullID}}, {{.DaemonName}}',
  fix: 'docker would copy the values of the environment into every log record; drop that option (a tag may name the container: tag={{.Name}})',
}
const PLACEMENT = {pattern: /^[A-Za-z0-9][\w.:/ !=-]*$/, expect: 'a placement expression such as node.role==worker'}

/** Every option, in the order `--help` and docs/reference.md list them; adding one is one line. */
// biome-ignore format: one line per option
export const RUN_OPTIONS = [
  {name: 'interactive', char: 'i', kind: 'boolean', summary: 'an interactive session: stdin open, this terminal attached until it ends'},
  {name: 'tty', char: 't', kind: 'boolean', summary: 'a terminal for the session (needs one here)'},
  {name: 'publish', char: 'p', kind: 'repeatable', summary: 'publish a container port on the host', value: {pattern: /^[\w.:[\]/-]+$/, expect: '[IP:]HOST:CONTAINER[/PROTO]'}, swarm: true},
  {name: 'volume', char: 'v', kind: 'repeatable', summary: 'bind mount or volume: SRC:DST[:OPTS]'},
  {name: 'mount', kind: 'repeatable', summary: 'a mount: type=...,source=...,target=...', value: {pattern: /^[a-z-]+=/, expect: 'type=...,source=...,target=...'}, swarm: true},
  {name: 'tmpfs', kind: 'repeatable', summary: 'a tmpfs mount: /PATH[:OPTS]', value: ABSOLUTE},
  {name: 'network', kind: 'string', summary: 'network to connect to', value: NAME, swarm: true},
  {name: 'hostname', kind: 'string', summary: 'container host name', value: {pattern: /^[A-Za-z0-9][A-Za-z0-9.-]*$/, expect: 'a host name'}, swarm: true},
  {name: 'add-host', kind: 'repeatable', summary: 'a line in /etc/hosts: HOST:IP', value: {pattern: /^[\w.-]+:[\w.:[\]-]+$/, expect: 'HOST:IP'}, swarm: 'host'},
  {name: 'gpus', kind: 'string', summary: 'GPUs to add: all, 2, device=0,1'},
  {name: 'device', kind: 'repeatable', summary: 'a host device: /dev/X[:/dev/Y[:rwm]]', value: ABSOLUTE},
  {name: 'runtime', kind: 'string', summary: 'runtime, e.g. nvidia', value: NAME},
  {name: 'memory', kind: 'string', summary: 'memory limit', value: SIZE, swarm: 'limit-memory'},
  {name: 'memory-swap', kind: 'string', summary: 'memory + swap limit (-1: unlimited)', value: SIZE, allowsDash: /^-1$/},
  {name: 'cpus', kind: 'string', summary: 'number of CPUs, e.g. 1.5', value: {pattern: /^\d+(\.\d+)?$/, expect: 'a number such as 1.5'}, swarm: 'limit-cpu'},
  {name: 'shm-size', kind: 'string', summary: 'size of /dev/shm', value: SIZE},
  {name: 'ipc', kind: 'string', summary: 'IPC mode: private, shareable, host, container:NAME', value: {pattern: /^(none|private|shareable|host|container:[\w.-]+)$/, expect: 'none, private, shareable, host or container:NAME'}},
  {name: 'pid', kind: 'string', summary: 'PID namespace: host or container:NAME', value: {pattern: /^(host|container:[\w.-]+)$/, expect: 'host or container:NAME'}},
  {name: 'ulimit', kind: 'repeatable', summary: 'a ulimit: NAME=SOFT[:HARD], e.g. memlock=-1', value: {pattern: /^[a-z]+=-?\d+(:-?\d+)?$/, expect: 'NAME=SOFT[:HARD] with numbers, such as nofile=1024:2048'}, swarm: true},
  {name: 'restart', kind: 'string', summary: 'restart policy: no, always, unless-stopped, on-failure[:N]', value: {pattern: /^(no|always|unless-stopped|on-failure(:\d+)?)$/, expect: 'no, always, unless-stopped or on-failure[:N]'}},
  {name: 'entrypoint', kind: 'string', summary: "override the image's entrypoint", swarm: true},
  {name: 'workdir', char: 'w', kind: 'string', summary: 'working directory inside the container', value: ABSOLUTE, swarm: true},
  {name: 'user', char: 'u', kind: 'string', summary: 'user: NAME|UID[:GROUP|GID]', value: {pattern: /^[\w.-]+(:[\w.-]+)?$/, expect: 'NAME|UID[:GROUP|GID]'}, swarm: true},
  {name: 'group-add', kind: 'repeatable', summary: 'an additional group', value: {pattern: /^[\w.-]+$/, expect: 'a group name or id'}, swarm: 'group'},
  {name: 'label', kind: 'repeatable', summary: 'a label KEY=VALUE (not hush.*)', value: {pattern: /^(?!hush\.)[A-Za-z0-9][\w.-]*(=.*)?$/, expect: 'KEY=VALUE with a KEY not starting with hush.'}, swarm: true},
  {name: 'cap-add', kind: 'repeatable', summary: 'add a Linux capability', value: {pattern: /^[A-Za-z_]+$/, expect: 'a capability such as NET_ADMIN'}, swarm: true},
  {name: 'cap-drop', kind: 'repeatable', summary: 'drop a Linux capability', value: {pattern: /^[A-Za-z_]+$/, expect: 'a capability such as NET_RAW'}, swarm: true},
  {name: 'security-opt', kind: 'repeatable', summary: 'a security option, e.g. no-new-privileges'},
  {name: 'init', kind: 'boolean', summary: 'run an init inside the container', swarm: true},
  {name: 'read-only', kind: 'boolean', summary: "mount the container's root filesystem read-only", swarm: true},
  {name: 'platform', kind: 'string', summary: 'platform, e.g. linux/amd64', value: {pattern: /^[\w.-]+(\/[\w.-]+){0,2}$/, expect: 'OS/ARCH[/VARIANT]'}},
  {name: 'stop-signal', kind: 'string', summary: 'signal that stops the container', value: {pattern: /^(SIG)?[A-Z0-9+-]+$|^\d+$/, expect: 'a signal such as SIGINT'}, swarm: true},
  {name: 'stop-timeout', kind: 'number', summary: 'seconds to wait before killing it on stop'},
  {name: 'health-cmd', kind: 'string', summary: 'command that checks its health', swarm: true},
  {name: 'log-driver', kind: 'string', summary: 'logging driver (hush logs needs local or json-file)', value: NAME, swarm: true},
  {name: 'log-opt', kind: 'repeatable', summary: 'a logging driver option KEY=VALUE', value: KEY_VALUE, refuses: LOG_OPT_CARRIERS, swarm: true},
  {name: 'replicas', kind: 'number', summary: 'Swarm: number of tasks the service runs (default 1)', min: 1, swarm: true, swarmOnly: true},
  {name: 'replicas-max-per-node', kind: 'number', summary: 'Swarm: at most this many tasks on one node', min: 1, swarm: true, swarmOnly: true},
  {name: 'constraint', kind: 'repeatable', summary: 'Swarm: a placement constraint, e.g. node.role==worker', value: PLACEMENT, swarm: true, swarmOnly: true},
  {name: 'placement-pref', kind: 'repeatable', summary: 'Swarm: a placement preference, e.g. spread=node.labels.zone', value: PLACEMENT, swarm: true, swarmOnly: true},
  {name: 'update-parallelism', kind: 'number', summary: 'Swarm: tasks updated at once by a rolling update (default 1; 0: all)', swarm: true, swarmOnly: true},
  {name: 'update-delay', kind: 'string', summary: 'Swarm: pause between updating batches of tasks, e.g. 5s', value: DURATION, swarm: true, swarmOnly: true},
  {name: 'update-monitor', kind: 'string', summary: 'Swarm: how long a new task is watched before the update goes on (default 5s)', value: DURATION, swarm: true, swarmOnly: true},
] as const satisfies readonly RunOptionSpec[]

export type RunOptionName = (typeof RUN_OPTIONS)[number]['name']

type ValueOf<K extends RunOptionKind> = K extends 'boolean'
  ? boolean
  : K extends 'number'
    ? number
    : K extends 'repeatable'
      ? string[]
      : string

/** The options of one deployment, keyed by option name (not secret: they go in docker's argv). */
export type RunOptions = {
  -readonly [O in (typeof RUN_OPTIONS)[number] as O['name']]?: ValueOf<O['kind']>
}

/** Options of `docker run` that would carry values around hush: refused with the way to do it instead. */
export const REFUSED_RUN_OPTIONS: Readonly<Record<string, string>> = {
  '-e': 'give plain values with --env KEY=VALUE and secrets with --secret NAME',
  '--env-file':
    'store the file with `hush secrets new NAME --from-dotenv FILE` and give --secret NAME (plain values: --env)',
  '--label-file': 'give each label with --label KEY=VALUE',
}

const BY_NAME = new Map<string, RunOptionSpec>(RUN_OPTIONS.map((spec) => [spec.name, spec]))

export function runOption(name: string): RunOptionSpec | undefined {
  return BY_NAME.get(name)
}

/** The one-line refusal for a command-line word that is a refused option (`-e`, `--env-file=x`, ...), or undefined. */
export function refusedRunOption(word: string): string | undefined {
  const flag = word.startsWith('--') ? word.split('=')[0] : /^-e/.test(word) ? '-e' : word
  const fix = REFUSED_RUN_OPTIONS[flag]
  return fix && `${flag} is not taken by hush submit, it would carry values around hush: ${fix}.`
}

/** Checks one value of option `spec`: one line, no NUL, no leading `-` (unless the option allows it), its own shape. */
export function checkRunOptionValue(spec: RunOptionSpec, value: unknown): string | number | boolean {
  const bad = (why: string) => new HushError('bad_request', `--${spec.name} ${why}.`)
  if (spec.kind === 'boolean') {
    if (typeof value !== 'boolean') throw bad('is a switch (true or false)')
    return value
  }
  if (spec.kind === 'number') {
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
    const min = spec.min ?? 0
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < min)
      throw bad(`needs a whole number of ${min} or more`)
    return number
  }
  if (typeof value !== 'string' || value === '' || value.length > 4096) throw bad('needs a one-line value')
  const shown = quoted(value, 80)
  if (/[\0\n\r]/.test(value)) throw bad(`value ${shown} holds a NUL or a line break: give one line`)
  if (value.startsWith('-') && !spec.allowsDash?.test(value))
    throw bad(`value ${shown} starts with '-': a value cannot be another option`)
  if (spec.value && !spec.allowsDash?.test(value) && !spec.value.pattern.test(value))
    throw bad(`value ${shown} is not ${spec.value.expect}`)
  if (spec.refuses?.pattern.test(value))
    throw bad(`${shown} is not taken by hush submit, it would carry values around hush: ${spec.refuses.fix}`)
  return value
}

/** Whether a deployment of `target` takes option `spec`. */
export function appliesTo(spec: RunOptionSpec, target: DeploymentTarget): boolean {
  return target === 'swarm' ? spec.swarm !== undefined : spec.swarmOnly !== true
}

/**
 * Checks a whole options object (from the CLI or any API client) for a deployment of `target`:
 * known names that target takes, right kinds, checked values.
 */
export function checkRunOptions(input: unknown, target: DeploymentTarget = 'local'): RunOptions {
  if (input === undefined || input === null) return {}
  if (typeof input !== 'object' || Array.isArray(input))
    throw new HushError('bad_request', '`options` must be an object.')
  const checked: Record<string, unknown> = {}
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    const spec = BY_NAME.get(name)
    if (!spec) {
      const refused = refusedRunOption(name.startsWith('-') ? name : `--${name}`)
      throw new HushError('bad_request', refused ?? `Unknown docker run option --${name}: see \`hush submit --help\`.`)
    }
    if (raw === undefined) continue
    if (!appliesTo(spec, target)) {
      throw new HushError(
        'bad_request',
        target === 'swarm'
          ? `--${name} applies to local containers only: drop it with --swarm.`
          : `--${name} applies to Swarm services only: add --swarm, or drop it.`,
      )
    }
    if (spec.kind === 'repeatable') {
      if (!Array.isArray(raw)) throw new HushError('bad_request', `\`options.${name}\` must be a list.`)
      checked[name] = raw.map((value) => checkRunOptionValue(spec, value))
    } else {
      const value = checkRunOptionValue(spec, raw)
      if (value !== false) checked[name] = value
    }
  }
  return checked as RunOptions
}

/** Why a session is never resubmitted (nobody would be attached), with what to do instead. */
export const SESSION_NOT_RESUBMITTED =
  'it is an interactive session (-i/-t), never resubmitted: start a new one with `hush submit -it ...`'

/** A session (`-i`/`-t`): the agent creates the container and the CLI attaches this terminal to it. */
export function isSession(options: RunOptions): boolean {
  return options.interactive === true || options.tty === true
}

/** `--flag=VALUE` for each given option that `take` names a flag for (hush's own name when it returns true). */
function optionArgs(options: RunOptions, take: (spec: RunOptionSpec) => string | boolean): string[] {
  const args: string[] = []
  const given = options as Record<string, string | string[] | number | boolean | undefined>
  for (const spec of RUN_OPTIONS as readonly RunOptionSpec[]) {
    const value = given[spec.name]
    const taken = take(spec)
    if (value === undefined || value === false || taken === false) continue
    const flag = taken === true ? spec.name : taken
    if (value === true) args.push(`--${flag}`)
    else for (const item of Array.isArray(value) ? value : [value]) args.push(`--${flag}=${item}`)
  }
  return args
}

/**
 * The `docker run` (or, for `swarm`, `docker service create`) arguments of checked options, each
 * `--flag=VALUE` so a value can never become another flag.
 */
export function runOptionArgs(options: RunOptions, target: DeploymentTarget = 'local'): string[] {
  return optionArgs(options, (spec) =>
    !appliesTo(spec, target) ? false : target === 'swarm' && typeof spec.swarm === 'string' ? spec.swarm : true,
  )
}

/** The options as a user would type them (for `status ID`): `--init --shm-size 16g ...`. */
export function formatRunOptions(options: RunOptions): string[] {
  return optionArgs(options, () => true).map((arg) => {
    const eq = arg.indexOf('=')
    if (eq === -1) return arg
    const value = arg.slice(eq + 1)
    return `${arg.slice(0, eq)} ${/[\s'"\\$]/.test(value) ? JSON.stringify(value) : value}`
  })
}
