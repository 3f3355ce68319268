#!/usr/bin/env node
// The hush program: every command, and the agent (`hush daemon run`). It runs the bundle in
// dist/bundle (npm run build), which loads only the command being run; HUSH_UNBUNDLED=1 runs the
// plain compiled files instead. Compiled code is cached in ~/.cache/hush/compile (userCacheDir:
// the user's own 0700 directory, or no cache at all), never in Node's default, a directory of /tmp
// that any local user could create first and fill with code for hush, the agent too, to run.
//
// First, before anything is imported: the Node lines hush supports, as package.json's engines says
// (^22.13.0 || >=24.0.0). On any other Node this file must still parse and say so in one line, so it
// stays plain: no static import, nothing newer than the ES modules with top-level await of Node 14.8.
const [major, minor] = process.versions.node.split('.').map(Number)
if (!(major >= 24 || (major === 22 && minor >= 13))) {
  process.stderr.write(
    `hush: needs Node 24, or Node 22 from 22.13 (this is Node ${process.versions.node}): install Node 24 LTS\n`,
  )
  process.exit(1)
}

const [{default: module}, {userCacheDir}] = await Promise.all([
  import('node:module'),
  import('../dist/config/private-dir.js'),
])
let compileCache
try {
  compileCache = userCacheDir('compile')
} catch {
  // not private (or not writable): hush runs without a compile cache, slower by a few ms, never on another's code
}
if (compileCache) module.enableCompileCache(compileCache)

if (process.env.HUSH_UNBUNDLED) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
} else {
  const [{main}, {fileURLToPath}] = await Promise.all([import('../dist/bundle/hush.js'), import('node:url')])
  await main(fileURLToPath(new URL('..', import.meta.url)))
}
