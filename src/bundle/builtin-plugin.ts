// hush as oclif sees it inside the bundle and the single executable: a plugin whose manifest,
// package.json, commands and hooks are built in (there are no files to load them from). Commands
// reach oclif through its public API (a plugin passed already loaded, `Options.plugins`); hooks
// through the one override oclif leaves no public way around, `addBuiltInHooks`.
import {type Command, Config, Errors, type Hook, type Interfaces, ux} from '@oclif/core'

/** Each command's module by oclif id, imported only when that command runs. */
export type CommandLoaders = Record<string, () => Promise<{default: Command.Class}>>
/** Each hook by event, imported only when that event fires. */
export type HookLoaders = Record<string, () => Promise<Hook<string>>>

type TopicsJson = NonNullable<Interfaces.PJSON['oclif']['topics']>

/** package.json's topics as oclif lists them: nested topics get `parent:child` names. */
function topicList(topics: TopicsJson = {}, base = ''): Interfaces.Topic[] {
  return Object.entries(topics).flatMap(([name, {subtopics, ...topic}]) => [
    {...topic, name: `${base}${name}`},
    ...topicList(subtopics, `${base}${name}:`),
  ])
}

export class BuiltInPlugin implements Interfaces.Plugin {
  readonly _base: string
  readonly alias: string
  readonly name: string
  readonly version: string
  readonly pjson: Interfaces.PJSON
  readonly root: string
  readonly options: Interfaces.PluginOptions
  readonly moduleType: 'commonjs' | 'module'
  readonly commandIDs: string[]
  readonly commands: Command.Loadable[]
  readonly topics: Interfaces.Topic[]
  readonly commandsDir = undefined
  readonly hasManifest = true
  /** Empty: oclif would import hooks from files; addBuiltInHooks runs them instead. */
  readonly hooks: Interfaces.Plugin['hooks'] = {}
  isRoot = true
  type = 'core'
  valid = true

  constructor(
    spec: {root: string; pjson: Interfaces.PJSON; manifest: Interfaces.Manifest},
    private readonly loaders: CommandLoaders,
  ) {
    this.root = spec.root
    this.pjson = spec.pjson
    this.name = spec.pjson.name
    this.alias = spec.pjson.name
    this.version = spec.pjson.version
    this._base = `${this.name}@${this.version}`
    this.options = {root: spec.root, isRoot: true, pjson: spec.pjson}
    this.moduleType = spec.pjson.type === 'module' ? 'module' : 'commonjs'
    this.topics = topicList(spec.pjson.oclif.topics)
    this.commandIDs = Object.keys(spec.manifest.commands)
    this.commands = Object.entries(spec.manifest.commands)
      .map(([id, command]) => ({
        ...command,
        load: () => this.findCommand(id, {must: true}),
        pluginAlias: this.alias,
        pluginType: this.type,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  /** Nothing to read: everything was built in. */
  async load(): Promise<void> {}

  findCommand(id: string, opts: {must: true}): Promise<Command.Class>
  findCommand(id: string, opts?: {must: boolean}): Promise<Command.Class> | undefined
  findCommand(id: string, opts: {must?: boolean} = {}): Promise<Command.Class> | undefined {
    // oclif awaits the answer either way; undefined inside the promise means "not found".
    return this.loadCommand(id, opts.must ?? false) as Promise<Command.Class>
  }

  private async loadCommand(id: string, must: boolean): Promise<Command.Class | undefined> {
    const load = this.loaders[id]
    if (!load) {
      if (must) Errors.error(`command ${id} not found`)
      return undefined
    }
    const command = (await load()).default as Command.Class & {id: string; plugin?: Interfaces.Plugin}
    command.id = id
    command.plugin = this
    return command
  }
}

interface HookOutcomes {
  successes: Array<{plugin: Interfaces.Plugin; result: unknown}>
  failures: Array<{plugin: Interfaces.Plugin; error: Error}>
}
type RunHook = (
  this: Config,
  event: string,
  opts: object,
  timeout?: number,
  captureErrors?: boolean,
) => Promise<HookOutcomes>

/** What addBuiltInHooks expects of oclif: checked before it touches anything, so an oclif that changed fails loudly. */
export function checkHookSeam(): void {
  const runHook = (Config.prototype as unknown as {runHook?: unknown}).runHook
  if (typeof runHook !== 'function' || runHook.length !== 4) {
    throw new Error(
      'hush: @oclif/core changed Config.runHook (expected runHook(event, opts, timeout, captureErrors)); update src/bundle/builtin-plugin.ts',
    )
  }
}

const installed = Symbol.for('hush.builtInHooks')

/**
 * Runs `loaders`' hooks as if package.json named them: after the hooks oclif found, with the
 * context oclif gives a hook, their outcomes reported as oclif reports its own. oclif runs hooks
 * only from files (Config.runHook imports each by path) and has no public way to add one, so this
 * wraps Config.runHook: the only override of oclif hush makes, checked by checkHookSeam.
 */
export function addBuiltInHooks(loaders: HookLoaders): void {
  checkHookSeam()
  const prototype = Config.prototype as unknown as {runHook: RunHook; [installed]?: HookLoaders}
  if (prototype[installed]) {
    Object.assign(prototype[installed], loaders)
    return
  }
  const all: HookLoaders = {...loaders}
  prototype[installed] = all
  const runHook = prototype.runHook
  prototype.runHook = async function (event, opts, timeout, captureErrors) {
    const outcomes = await runHook.call(this, event, opts, timeout, captureErrors)
    const load = all[event]
    if (!load) return outcomes
    const plugin = this.getPluginsList().find((candidate) => candidate.isRoot) ?? this.getPluginsList()[0]
    const context: Hook.Context = {
      config: this,
      debug: () => {},
      error: (message, options) => Errors.error(message, options as {exit: number}),
      exit: (code) => Errors.exit(code),
      log: (message, ...args) => ux.stdout(message, ...args),
      warn: (message) => Errors.warn(message),
    }
    try {
      const hook = await load()
      outcomes.successes.push({plugin, result: await hook.call(context, {...opts, config: this, context})})
    } catch (error) {
      const exit = (error as Errors.CLIError).oclif?.exit
      outcomes.failures.push({plugin, error: error as Error})
      if (!captureErrors && exit !== undefined && exit !== 0) throw error
    }
    return outcomes
  }
}
