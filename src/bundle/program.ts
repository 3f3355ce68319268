// The bundled program as a whole (entry.ts loads it when the lean route is not taken): oclif with
// its manifest, package.json and hooks built in (builtin-plugin.ts), and each command loaded only
// when it runs.

import {COMMAND_LOADERS} from 'hush:commands'
import {HOOK_LOADERS} from 'hush:hooks'
import manifest from 'hush:manifest'
import pjson from 'hush:pjson'
import {setFlagsFromString} from 'node:v8'
import {execute} from '@oclif/core'
import {addBuiltInHooks, BuiltInPlugin} from './builtin-plugin.js'

/**
 * A command lives for a request or two, so WebAssembly stays on V8's baseline compiler (Liftoff):
 * otherwise V8 tiers undici's HTTP parser (llhttp, wasm) up with its optimizing compiler on a
 * background thread, and the process waits for that job before it exits (about 40 ms after
 * `hush submit` has printed its id, measured on Node 24). `--liftoff-only` set at run time no
 * longer holds on Node 24; a tiering budget that no function of a short command exhausts does, on
 * Node 24 and 22. The agent, which lives on, keeps both compilers.
 */
function baselineWasmOnly(args: string[]): void {
  const [topic, command] = args.filter((arg) => !arg.startsWith('-'))
  if (topic === 'daemon' && command === 'run') return
  setFlagsFromString('--wasm-tiering-budget=1000000000')
}

/** Runs the command line; `root` is only where oclif believes the package lives. */
export function main(root: string): Promise<unknown> {
  baselineWasmOnly(process.argv.slice(2))
  addBuiltInHooks(HOOK_LOADERS)
  // Passed already loaded: oclif reads no manifest, package.json or command file from disk.
  const plugin = new BuiltInPlugin({root, pjson, manifest}, COMMAND_LOADERS)
  return execute({loadOptions: {root, pjson, plugins: new Map([[plugin.name, plugin]])}})
}
