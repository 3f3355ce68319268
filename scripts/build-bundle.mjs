#!/usr/bin/env node
// Bundles hush with esbuild. Default: dist/bundle/ for bin/run.js (ESM): the entry hush.js in one
// file (the lean route), and program.js, split into chunks that load only when a command needs
// them. With --sea: dist/sea/hush.cjs, one CommonJS file for the single executable, with the
// native addons (.node) loaded from the executable's assets.
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {analyzeMetafile, build} from 'esbuild'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const sea = process.argv.includes('--sea')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

/** Every command file under `dir` (default src/commands). */
function commandFiles(dir = join(ROOT, 'src', 'commands')) {
  const found = []
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const file = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...commandFiles(file))
    else if (/\.[jt]sx?$/.test(entry.name) && !/\.(d|test|spec)\.[jt]sx?$/.test(entry.name)) found.push(file)
  }
  return found
}

/** A command file's oclif id, from its path under `base` (`secrets/list.ts` -> `secrets:list`). */
function commandId(base, file) {
  return relative(base, file)
    .replace(/\.[jt]sx?$/, '')
    .replace(/(^|\/)index$/, '')
    .split('/')
    .join(':')
}

/**
 * The oclif plugins of package.json, built into the bundle as if their commands were hush's own
 * (the single executable has no node_modules to load them from): each one's root and manifest.
 */
function bundledPlugins() {
  return (pkg.oclif.plugins ?? []).map((name) => {
    const root = join(ROOT, 'node_modules', name)
    const plugin = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    if (plugin.oclif.hooks && Object.keys(plugin.oclif.hooks).some((event) => !event.startsWith('plugins:'))) {
      throw new Error(`build-bundle: ${name} has hooks the bundle does not load; build them in like hush's own`)
    }
    const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
    return {name, commands: join(root, plugin.oclif.commands), manifest}
  })
}

function commandsModule() {
  const own = commandFiles().map((file) => [commandId(join(ROOT, 'src', 'commands'), file), file])
  // A plugin's command files are its compiled .js (reached by path: its package exports none of them).
  const plugins = bundledPlugins().flatMap((plugin) =>
    commandFiles(plugin.commands).map((file) => [commandId(plugin.commands, file), file]),
  )
  const entries = [...own, ...plugins]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, file]) => `  ${JSON.stringify(id)}: () => import(${JSON.stringify(file)}),`)
  return `export const COMMAND_LOADERS = {\n${entries.join('\n')}\n}\n`
}

/** hush's own manifest with the bundled plugins' commands added. */
function manifestModule() {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
  for (const plugin of bundledPlugins()) {
    for (const [id, command] of Object.entries(plugin.manifest.commands)) {
      manifest.commands[id] = {...command, pluginName: pkg.name, pluginAlias: pkg.name, pluginType: 'core'}
    }
  }
  return JSON.stringify(manifest)
}

/** package.json's hooks (`./dist/x.js`), each imported from its source (`src/x.ts`) when it runs. */
function hooksModule() {
  const entries = Object.entries(pkg.oclif.hooks ?? {}).map(([event, target]) => {
    const source = join(ROOT, target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'))
    return `  ${JSON.stringify(event)}: async () => (await import(${JSON.stringify(source)})).default,`
  })
  return `export const HOOK_LOADERS = {\n${entries.join('\n')}\n}\n`
}

/** The modules that exist only in the bundle: commands, manifest, hooks, package.json. */
const virtualModules = {
  name: 'hush-virtual',
  setup(b) {
    b.onResolve({filter: /^hush:/}, (args) => ({path: args.path, namespace: 'hush-virtual'}))
    b.onLoad({filter: /.*/, namespace: 'hush-virtual'}, (args) => {
      if (args.path === 'hush:commands') return {contents: commandsModule(), resolveDir: ROOT, loader: 'js'}
      if (args.path === 'hush:manifest') return {contents: manifestModule(), loader: 'json'}
      if (args.path === 'hush:hooks') return {contents: hooksModule(), resolveDir: ROOT, loader: 'js'}
      // Plugins and hooks are built in (above): oclif must not look for them on disk.
      const {plugins: _plugins, hooks: _hooks, ...oclif} = pkg.oclif
      const pjson = {
        name: pkg.name,
        version: pkg.version,
        type: pkg.type,
        oclif: {...oclif, commands: {strategy: 'explicit', target: './bundle', identifier: 'COMMANDS'}},
      }
      return {contents: JSON.stringify(pjson), loader: 'json'}
    })
  },
}

const yogaWasm = () => {
  const source = readFileSync(join(ROOT, 'node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js'), 'utf8')
  const match = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(source)
  if (!match) throw new Error('build-bundle: the yoga wasm is no longer inlined as base64; update the yoga patch')
  return match[1]
}

/**
 * Source patches, the same in both bundles so that the tests of bin/run.js exercise the code of the
 * executable: the version is built in (no package.json beside the executable); top-level await
 * (which a CommonJS main cannot hold) goes from yoga-layout (compiled synchronously instead, only
 * when Ink loads) and from Ink's reconciler (devtools hook and package.json, both only when DEV=true).
 */
const patches = {
  name: 'hush-patches',
  setup(b) {
    b.onLoad({filter: /[\\/]src[\\/]version\.ts$/}, () => ({
      contents: `export const VERSION = ${JSON.stringify(pkg.version)}\n`,
      loader: 'ts',
    }))
    // fdir probes for picomatch with require.resolve, which the executable's require cannot do; it is bundled.
    b.onLoad({filter: /[\\/]fdir[\\/]dist[\\/]index\.cjs$/}, (args) => {
      const original = readFileSync(args.path, 'utf8')
      const patched = original.replace('require.resolve("picomatch");', '')
      if (patched === original) throw new Error('build-bundle: fdir changed; update the picomatch patch')
      return {contents: patched, loader: 'js'}
    })
    // oclif sorts commands with localeCompare, whose first call loads ICU collation (~9 ms); ids are ASCII.
    b.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, (args) => {
      const original = readFileSync(args.path, 'utf8')
      const patched = original.replace('.sort((a, b) => a.id.localeCompare(b.id))', '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))')
      if (patched === original) throw new Error('build-bundle: oclif plugin.js changed; update the sort patch')
      return {contents: patched, loader: 'js'}
    })
    // oclif checks the engines range of a package.json beside its own files: none in the bundle.
    b.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]index\.js$/}, (args) => {
      const original = readFileSync(args.path, 'utf8')
      const patched = original.replace(/\ncheckNodeVersion\(\);/, '\n')
      if (patched === original) throw new Error('build-bundle: oclif index.js changed; update the engines patch')
      return {contents: patched, loader: 'js'}
    })
    b.onLoad({filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/}, (args) => {
      const original = readFileSync(args.path, 'utf8')
      const patched = original.replace(
        'const Yoga = wrapAssembly(await loadYoga());',
        `const yogaModule = {
  instantiateWasm(imports, done) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(${JSON.stringify(yogaWasm())}, 'base64')), imports);
    done(instance);
    return instance.exports;
  },
};
loadYoga(yogaModule);
const Yoga = wrapAssembly(yogaModule);`,
      )
      if (patched === original) throw new Error('build-bundle: yoga-layout changed; update the yoga patch')
      return {contents: patched, loader: 'js'}
    })
    b.onLoad({filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/}, (args) => {
      const original = readFileSync(args.path, 'utf8')
      const patched = original.replace(/\nif \(isDev\(\)\) \{\n {4}try \{\n {8}await import\('\.\/devtools\.js'\);[\s\S]*?\n\}\n/, '\n')
        .replace(/const packageJson = isDev\(\)\n\s*\? await loadPackageJson\(\)\n\s*: (\{ name: undefined, version: undefined \});/, 'const packageJson = $1;')
      if (/await (import\('\.\/devtools\.js'\)|loadPackageJson\(\))/.test(patched)) {
        throw new Error('build-bundle: ink reconciler changed; update its top-level await patch')
      }
      return {contents: patched, loader: 'js'}
    })
  },
}

/** In the executable, `require('x.node')` becomes a dlopen of the asset `x.node` (see src/bundle/native.ts). */
const nativeAssets = {
  name: 'hush-native-assets',
  setup(b) {
    // @napi-rs/keyring's loader probes a package per platform: the executable carries the one built for (asset keyring.node).
    b.onResolve({filter: /^@napi-rs\/keyring$/}, () => ({path: 'keyring', namespace: 'hush-keyring'}))
    b.onLoad({filter: /.*/, namespace: 'hush-keyring'}, () => ({
      contents: "module.exports = require('./keyring.node')\n",
      resolveDir: ROOT,
      loader: 'js',
    }))
    // koffi's loader requires one package per platform (@koromix/koffi-linux-x64, ...): the executable carries this platform's (asset koffi.node).
    // Its CommonJS entry: the ESM one requires those packages through createRequire, which esbuild cannot follow.
    b.onResolve({filter: /^koffi$/}, () => ({path: join(ROOT, 'node_modules/koffi/index.cjs')}))
    b.onResolve({filter: /^@koromix\/koffi-/}, (args) => ({path: args.path, namespace: 'hush-koffi'}))
    b.onLoad({filter: /.*/, namespace: 'hush-koffi'}, (args) => ({
      contents:
        args.path === `@koromix/koffi-${process.platform}-${process.arch}`
          ? "module.exports = require('./koffi.node')\n"
          : `throw new Error(${JSON.stringify(`${args.path} is not built into this executable`)})\n`,
      resolveDir: ROOT,
      loader: 'js',
    }))
    // hush's own loader of koffi's native module (src/config/koffi-native.ts) becomes the asset.
    b.onResolve({filter: /\/koffi-native\.js$/}, () => ({path: 'koffi-native', namespace: 'hush-koffi-native'}))
    b.onLoad({filter: /.*/, namespace: 'hush-koffi-native'}, () => ({
      contents: "exports.koffiNative = () => require('./koffi.node')\n",
      resolveDir: ROOT,
      loader: 'js',
    }))
    b.onResolve({filter: /\.node$/}, (args) => ({path: args.path.split('/').pop(), namespace: 'hush-native'}))
    b.onLoad({filter: /.*/, namespace: 'hush-native'}, (args) => ({
      contents: `module.exports = require(${JSON.stringify(join(ROOT, 'src/bundle/native.ts'))}).loadNativeAddon(${JSON.stringify(args.path)})\n`,
      resolveDir: ROOT,
      loader: 'js',
    }))
  },
}

/** Only the parts of undici the client uses (Client and its request API), not the whole package. */
const undiciClient = {
  name: 'hush-undici-client',
  setup(b) {
    b.onResolve({filter: /^undici$/}, (args) =>
      args.importer.startsWith(join(ROOT, 'src')) ? {path: 'undici-client', namespace: 'hush-undici'} : undefined,
    )
    b.onLoad({filter: /.*/, namespace: 'hush-undici'}, () => ({
      contents: `const Client = require('undici/lib/dispatcher/client.js')
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js')
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'))
module.exports = {Client}
`,
      resolveDir: ROOT,
      loader: 'js',
    }))
    // The agent speaks HTTP/1.1 on its socket: undici's HTTP/2 client (and node:http2) never load.
    // node:http (~4 ms to load) is read only for its default maxHeaderSize, which AgentClient sets itself.
    b.onLoad({filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/}, (args) => {
      const original = readFileSync(args.path, 'utf8')
      const patched = original
        .replace("const connectH2 = require('./client-h2.js')", "const connectH2 = () => { throw new Error('HTTP/2 is not built into hush') }")
        .replace("const http = require('node:http')\n", '')
        .replace(/const getDefaultNodeMaxHeaderSize = http &&[^\n]*\n(?:[^\n]+\n)*?\s*: \(\) => \{ throw [^\n]*\n/, "const getDefaultNodeMaxHeaderSize = () => require('node:http').maxHeaderSize\n")
      if (patched === original || /connectH2 = require|require\('node:http'\)\n|http\.maxHeaderSize &&/.test(patched)) {
        throw new Error('build-bundle: undici client.js changed; update the HTTP/2 and node:http patches')
      }
      return {contents: patched, loader: 'js'}
    })
    // util.destroy compares a stream's class with node:http's IncomingMessage: load it only for one of that name.
    b.onLoad({filter: /[\\/]undici[\\/]lib[\\/]core[\\/]util\.js$/}, (args) => {
      const original = readFileSync(args.path, 'utf8')
      const patched = original
        .replace("const { IncomingMessage } = require('node:http')\n", '')
        .replace(
          'Object.getPrototypeOf(stream).constructor === IncomingMessage',
          "Object.getPrototypeOf(stream).constructor?.name === 'IncomingMessage' && Object.getPrototypeOf(stream).constructor === require('node:http').IncomingMessage",
        )
      if (/IncomingMessage } = require|constructor === IncomingMessage/.test(patched)) {
        throw new Error('build-bundle: undici core/util.js changed; update the node:http patch')
      }
      return {contents: patched, loader: 'js'}
    })
  },
}

const common = {
  entryPoints: {hush: join(ROOT, 'src/bundle/entry.ts')},
  bundle: true,
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  legalComments: 'none',
  logLevel: "warning",
  metafile: Boolean(process.env.HUSH_BUNDLE_META),
  // Ink's devtools hook is patched out below; oclif loads TypeScript only in development mode.
  external: ['react-devtools-core', 'typescript', 'ts-node', 'tsx'],
  define: {'process.env.NODE_ENV': '"production"'},
}

const builds = []
if (sea) {
  rmSync(join(ROOT, 'dist/sea/hush.cjs'), {force: true})
  builds.push({
    ...common,
    format: 'cjs',
    outdir: join(ROOT, 'dist/sea'),
    outExtension: {'.js': '.cjs'},
    define: {...common.define, 'import.meta.url': '__hushMetaUrl'},
    banner: {js: "const __hushMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
    // The executable's main script: it runs the command line as soon as it is loaded.
    footer: {js: "module.exports.main(require('node:path').dirname(process.execPath));"},
    plugins: [virtualModules, patches, nativeAssets, undiciClient],
  })
} else {
  rmSync(join(ROOT, 'dist/bundle'), {recursive: true, force: true})
  const esm = {
    ...common,
    format: 'esm',
    outdir: join(ROOT, 'dist/bundle'),
    // The native addons stay in node_modules, found by their own loaders.
    external: [...common.external, '@napi-rs/keyring', 'koffi'],
    banner: {js: "import {createRequire as __hushCreateRequire} from 'node:module'; const require = __hushCreateRequire(import.meta.url);"},
  }
  // The whole program (program.js), split into chunks that load only when a command needs them.
  // Chunks sit beside it, as deep as dist/client/: relative URLs in the sources stay right.
  builds.push({
    ...esm,
    entryPoints: {program: join(ROOT, 'src/bundle/program.ts')},
    splitting: true,
    chunkNames: '[name]-[hash]',
    plugins: [virtualModules, patches, undiciClient],
  })
  // The entry (hush.js) in one file: the lean route with all it uses, read as one module, not a
  // dozen chunks (each costs a resolve, a read and a compile-cache lookup); program.js as it is.
  const programApart = {
    name: 'hush-program-apart',
    setup(b) {
      b.onResolve({filter: /^\.\/program\.js$/}, () => ({path: './program.js', external: true}))
    },
  }
  builds.push({...esm, plugins: [programApart, virtualModules, patches, undiciClient]})
}
for (const options of builds) {
  const result = await build(options)
  if (process.env.HUSH_BUNDLE_META) console.log(await analyzeMetafile(result.metafile, {verbose: process.env.HUSH_BUNDLE_META === 'verbose'}))
}
