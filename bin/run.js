#!/usr/bin/env node
// The hush program: every command, and the agent (`hush daemon run`). It runs the bundle in
// dist/bundle (npm run build), which loads only the command being run; HUSH_UNBUNDLED=1 runs the
// plain compiled files instead. Compiled code is cached where this Node has a compile cache (22.1+).
import module from 'node:module'
import {fileURLToPath} from 'node:url'

module.enableCompileCache?.()

if (process.env.HUSH_UNBUNDLED) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
} else {
  const {main} = await import('../dist/bundle/hush.js')
  await main(fileURLToPath(new URL('..', import.meta.url)))
}
