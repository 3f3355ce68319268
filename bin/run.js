#!/usr/bin/env node
// The hush program: every command, and the agent (`hush daemon run`). Compiled code is cached
// where this Node has a compile cache (22.1+), which shortens every start after the first.
import module from 'node:module'

module.enableCompileCache?.()

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
