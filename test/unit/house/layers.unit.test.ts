// The house's floors, held against the code: every import of every file under src/ is read, and an
// import that runs up a layer fails here. The daemon's folders are its layers (docs/architecture.md):
// process/, store/ and docker/ at the ground, vault/ on store/, secrets/ and deployments/ on vault/
// and docker/, then agent.ts (the composition root), http/ and main.ts at the top.
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = resolve(import.meta.dirname, '../../..')
const SRC = join(ROOT, 'src')
const TEST = join(ROOT, 'test')

/** What each of the daemon's layers may import of the daemon, besides its own folder. */
const DAEMON_LAYERS: Record<string, string[]> = {
  'process/': [],
  'store/': ['process/'],
  'docker/': ['process/'],
  'vault/': ['store/', 'process/'],
  'secrets/': ['vault/', 'store/', 'docker/', 'process/'],
  'deployments/': ['secrets/', 'vault/', 'store/', 'docker/', 'process/'],
  // The composition root: builds the store, the vault and the services; handlers are handed it.
  'agent.ts': ['deployments/', 'secrets/', 'vault/', 'store/', 'docker/', 'process/'],
  'http/': ['agent.ts', 'deployments/', 'secrets/', 'vault/', 'store/', 'docker/', 'process/'],
  // The agent's life: the process guard, the store lock, the agent and its server.
  'main.ts': ['http/', 'agent.ts', 'deployments/', 'secrets/', 'vault/', 'store/', 'docker/', 'process/'],
}

/** What each top folder of src/ must never import. */
const NEVER: Record<string, string[]> = {
  // The contract both ends import: it stands on nothing of hush but itself.
  'api/': ['cli/', 'client/', 'commands/', 'config/', 'crypto/', 'daemon/', 'ui/', 'bundle/'],
  'commands/': ['daemon/'],
  'cli/': ['daemon/'],
  // The picker and the tables: the CLI imports them, never the other way.
  'ui/': ['cli/', 'commands/', 'daemon/'],
  // The agent never loads the CLI's side.
  'daemon/': ['cli/', 'client/', 'commands/', 'ui/'],
  'crypto/': ['cli/', 'client/', 'commands/', 'daemon/', 'ui/'],
  'config/': ['cli/', 'client/', 'commands/', 'daemon/', 'ui/'],
  'client/': ['cli/', 'commands/', 'daemon/', 'ui/'],
}

/** Wrong-way imports not fixed yet, as `from -> to` (paths under src/), each with why it stays. */
const EXCEPTIONS: Record<string, string> = {
  'commands/daemon/run.ts -> daemon/main.ts':
    '`hush daemon run` is the agent: the one door from the CLI into the daemon, loaded only by that command',
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm

/** Every relative import of every file under src/, as paths under src/ with the .ts name. */
function imports(): {from: string; to: string}[] {
  return sourceFiles(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8')
    return [...text.matchAll(IMPORT)].map((match) => {
      const to = relative(SRC, resolve(dirname(file), match[1])).replace(/\.js$/, '.ts')
      return {from: relative(SRC, file), to}
    })
  })
}

/** The daemon layer of a path under src/daemon/: its folder (`store/`) or top file (`agent.ts`). */
function daemonLayer(path: string): string | undefined {
  if (!path.startsWith('daemon/')) return undefined
  const rest = path.slice('daemon/'.length)
  const slash = rest.indexOf('/')
  return slash === -1 ? rest : rest.slice(0, slash + 1)
}

function topFolder(path: string): string {
  const slash = path.indexOf('/')
  return slash === -1 ? path : path.slice(0, slash + 1)
}

/** Why an import runs the wrong way, or undefined when it may stand. */
function wrongWay(from: string, to: string): string | undefined {
  const never = NEVER[topFolder(from)]
  if (never?.includes(topFolder(to))) return `src/${topFolder(from)} must not import src/${topFolder(to)}`
  const a = daemonLayer(from)
  const b = daemonLayer(to)
  if (a === undefined || b === undefined || a === b) return undefined
  const allowed = DAEMON_LAYERS[a]
  if (allowed === undefined) return `daemon/${a} is no layer: add it to DAEMON_LAYERS (and docs/architecture.md)`
  if (!allowed.includes(b)) return `daemon/${a} must not import daemon/${b}`
  return undefined
}

describe('layers', () => {
  const all = imports()

  it('reads the imports of the whole tree', () => {
    expect(all.length).toBeGreaterThan(300)
    expect(all.some(({from}) => from.startsWith('daemon/http/handlers/'))).toBe(true)
  })

  it('no import runs up a layer', () => {
    const wrong = all
      .map(({from, to}) => ({edge: `${from} -> ${to}`, why: wrongWay(from, to)}))
      .filter(({edge, why}) => why !== undefined && !(edge in EXCEPTIONS))
      .map(({edge, why}) => `${edge}: ${why}`)
    expect(wrong).toEqual([])
  })

  it('every file of the daemon stands in a layer', () => {
    const stray = sourceFiles(join(SRC, 'daemon'))
      .map((file) => relative(SRC, file))
      .filter((path) => DAEMON_LAYERS[daemonLayer(path) ?? ''] === undefined)
    expect(stray).toEqual([])
  })

  it('each exception is still needed', () => {
    const edges = new Set(all.map(({from, to}) => `${from} -> ${to}`))
    expect(Object.keys(EXCEPTIONS).filter((edge) => !edges.has(edge))).toEqual([])
  })

  it('knows a wrong-way import when it sees one', () => {
    expect(wrongWay('daemon/docker/containers.ts', 'daemon/deployments/resolve-env.ts')).toBeDefined()
    expect(wrongWay('daemon/store/connection.ts', 'daemon/vault/key-lifecycle.ts')).toBeDefined()
    expect(wrongWay('api/contract.ts', 'crypto/passphrase.ts')).toBeDefined()
    expect(wrongWay('commands/submit.ts', 'daemon/docker/context.ts')).toBeDefined()
    expect(wrongWay('daemon/deployments/service.ts', 'daemon/docker/containers.ts')).toBeUndefined()
    expect(wrongWay('daemon/http/server.ts', 'daemon/agent.ts')).toBeUndefined()
  })
})

describe('tests in tiers', () => {
  const files = sourceFiles(TEST).map((file) => relative(TEST, file))

  it('has nothing at the top of test/ but the tier folders', () => {
    expect(readdirSync(TEST).sort()).toEqual(['e2e', 'fixtures', 'support', 'unit'])
  })

  it('puts each unit test in the folder of the src/ layer it tests, or in house/', () => {
    const stray = files
      .filter((path) => path.startsWith('unit/'))
      .filter((path) => {
        const area = dirname(path.slice('unit/'.length))
        return !/\.unit\.test\.tsx?$/.test(path) || (area !== 'house' && !existsSync(join(SRC, area)))
      })
    expect(stray).toEqual([])
  })

  it('puts each end-to-end test in a behaviour folder, and no test in support/', () => {
    const e2e = files.filter((path) => path.startsWith('e2e/'))
    expect(e2e.filter((path) => !/^e2e\/[a-z-]+\/[a-z0-9-]+\.e2e\.test\.tsx?$/.test(path))).toEqual([])
    expect(files.filter((path) => path.startsWith('support/') && /\.test\.tsx?$/.test(path))).toEqual([])
  })
})
