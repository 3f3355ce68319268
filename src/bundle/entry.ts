// The entry of the bundled program (dist/bundle for bin/run.js, and the single executable): oclif
// with its manifest and package.json built in, and each command loaded only when it runs.

import {COMMAND_LOADERS} from 'hush:commands'
import manifest from 'hush:manifest'
import pjson from 'hush:pjson'
import {setFlagsFromString} from 'node:v8'
import {type Command, Errors, execute, Plugin} from '@oclif/core'

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
