#!/usr/bin/env node
// `npm run build:binary`: dist/hush, one executable (a Node single executable application) holding
// every command, the agent, the picker and the native addons. Needs only this Node and the
// devDependencies (esbuild, postject); the executable runs with no node on PATH.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {inject} from 'postject'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SEA = join(ROOT, 'dist/sea')
const OUT = join(ROOT, 'dist/hush')
// The fuse every Node build carries for single executable applications (Node's docs).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'

/** The @napi-rs/keyring binding npm installed for this platform (one `keyring-<platform>` package). */
function keyringBinding() {
  const scope = join(ROOT, 'node_modules/@napi-rs')
  for (const dir of readdirSync(scope).filter((name) => name.startsWith('keyring-'))) {
    const file = readdirSync(join(scope, dir)).find((name) => name.endsWith('.node'))
    if (file) return join(scope, dir, file)
  }
  throw new Error('build-binary: no @napi-rs/keyring binding for this platform in node_modules (run npm ci)')
}

/** koffi's native module for this platform and this Node's libc, from its per-platform package. */
function koffiBinding() {
  const dir = join(ROOT, `node_modules/@koromix/koffi-${process.platform}-${process.arch}`)
  const libc = process.platform === 'linux' && !process.report.getReport().header.glibcVersionRuntime ? 'musl' : process.platform
  const file = join(dir, `${libc}_${process.arch}`, 'koffi.node')
  try {
    statSync(file)
  } catch {
    throw new Error(`build-binary: no koffi binding for this platform in node_modules (${file}; run npm ci)`)
  }
  return file
}

const started = Date.now()
mkdirSync(SEA, {recursive: true})
execFileSync(process.execPath, [join(ROOT, 'scripts/build-bundle.mjs'), '--sea'], {stdio: 'inherit'})

const config = {
  main: join(SEA, 'hush.cjs'),
  output: join(SEA, 'sea-prep.blob'),
  disableExperimentalSEAWarning: true,
  // V8's code cache for the main script: no compile at start.
  useCodeCache: true,
  assets: {
    'keyring.node': keyringBinding(),
    'koffi.node': koffiBinding(),
  },
}
// Each addon's digest, taken here so the executable need not hash it (nor load node:crypto) on every
// start: it names the addon's file in the cache (src/bundle/native.ts), which is still compared byte for byte.
const digests = Object.fromEntries(
  Object.entries(config.assets).map(([name, file]) => [
    name,
    createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16),
  ]),
)
writeFileSync(join(SEA, 'native-digests.json'), JSON.stringify(digests))
config.assets['native-digests.json'] = join(SEA, 'native-digests.json')
writeFileSync(join(SEA, 'sea-config.json'), JSON.stringify(config, null, 2))
execFileSync(process.execPath, ['--experimental-sea-config', join(SEA, 'sea-config.json')], {stdio: 'inherit'})

rmSync(OUT, {force: true})
copyFileSync(process.execPath, OUT)
chmodSync(OUT, 0o755)
await inject(OUT, 'NODE_SEA_BLOB', readFileSync(config.output), {sentinelFuse: FUSE})

const size = (statSync(OUT).size / 1024 / 1024).toFixed(0)
console.log(`build-binary: dist/hush (${size} MiB, Node ${process.version}) in ${((Date.now() - started) / 1000).toFixed(1)} s`)
