// The entry of the bundled program (dist/bundle for bin/run.js, and the single executable): oclif
// with its manifest and package.json built in, and each command loaded only when it runs.

import {COMMAND_LOADERS} from 'hush:commands'
import {HOOK_LOADERS} from 'hush:hooks'
import manifest from 'hush:manifest'
import pjson from 'hush:pjson'
import {setFlagsFromString} from 'node:v8'
import {type Command, Config, Errors, execute, type Hook, Plugin, ux} from '@oclif/core'

type Manifest = typeof manifest
type CommandClass = Command.Class & {id: string; plugin?: Plugin}

interface PluginInternals {
  findCommand(this: Plugin, id: string, opts?: {must?: boolean}): Promise<CommandClass | undefined>
  loadCommandsFromTarget(): Promise<Record<string, Command.Class>>
  _manifest(this: Plugin): Promise<Manifest>
}

async function loadCommand(id: string): Promise<CommandClass | undefined> {
  const load = COMMAND_LOADERS[id]
  return load ? ((await load()).default as CommandClass) : undefined
}

// oclif's explicit command strategy, made lazy: the manifest (built in) describes every command for
// help and parsing, and a command's module (with what it imports) loads only when that command runs.
const internals = Plugin.prototype as unknown as PluginInternals
internals._manifest = async function () {
  this.hasManifest = true
  return manifest
}
internals.findCommand = async function (id, opts = {}) {
  const command = await loadCommand(id)
  if (!command) {
    if (opts.must) Errors.error(`command ${id} not found`)
    return undefined
  }
  command.id = id
  command.plugin = this
  return command
}
internals.loadCommandsFromTarget = async () => {
  const ids = Object.keys(COMMAND_LOADERS)
  const classes = await Promise.all(ids.map((id) => loadCommand(id)))
  return Object.fromEntries(ids.map((id, i) => [id, classes[i] as Command.Class]))
}

interface HookOutcomes {
  successes: Array<{plugin: Plugin; result: unknown}>
  failures: Array<{plugin: Plugin; error: Error}>
}

interface ConfigInternals {
  runHook(this: Config, event: string, opts: object, timeout?: number, captureErrors?: boolean): Promise<HookOutcomes>
}

// package.json's hooks, built in: oclif would import them from files, which the executable does not
// have. Each runs after the hooks oclif found, with the context oclif gives a hook.
const configInternals = Config.prototype as unknown as ConfigInternals
const runHook = configInternals.runHook
configInternals.runHook = async function (event, opts, timeout, captureErrors) {
  const outcomes = await runHook.call(this, event, opts, timeout, captureErrors)
  const load = HOOK_LOADERS[event]
  if (!load) return outcomes
  const plugin = (this as unknown as {rootPlugin: Plugin}).rootPlugin
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

/**
 * A command lives for a request or two, so WebAssembly stays on V8's baseline compiler: otherwise
 * undici's HTTP parser (llhttp, wasm) is compiled a second time by the optimizing compiler, which
 * costs more CPU than the whole rest of `hush secrets list`. The agent, which lives on, keeps both.
 */
function baselineWasmOnly(args: string[]): void {
  const [topic, command] = args.filter((arg) => !arg.startsWith('-'))
  if (topic === 'daemon' && command === 'run') return
  setFlagsFromString('--liftoff-only')
}

/** Runs the command line; `root` is only where oclif believes the package lives. */
export function main(root: string): Promise<unknown> {
  baselineWasmOnly(process.argv.slice(2))
  return execute({loadOptions: {root, pjson, userPlugins: false, devPlugins: false}})
}
