// The bundle's way into oclif (src/bundle/builtin-plugin.ts): commands from a plugin passed already
// loaded, hooks through the one wrapped oclif method. If an @oclif/core update changes either, these
// fail here, loudly, rather than the built program failing for a user.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Command, Config, type Hook, type Interfaces, run} from '@oclif/core'
import {afterAll, describe, expect, it} from 'vitest'
import {addBuiltInHooks, BuiltInPlugin, checkHookSeam} from '../../../src/bundle/builtin-plugin.js'

const ran: string[][] = []
class Hello extends Command {
  static override summary = 'Say hello'
  static override strict = false
  async run(): Promise<void> {
    ran.push(this.argv)
  }
}

const root = mkdtempSync(join(tmpdir(), 'hush-oclif-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))
const pjson = {
  name: 'fake-cli',
  version: '1.2.3',
  type: 'module',
  oclif: {bin: 'fake', topicSeparator: ' ', topics: {greet: {description: 'Greetings', subtopics: {loud: {}}}}},
} as unknown as Interfaces.PJSON
const manifest = {
  version: '1.2.3',
  commands: {
    'greet:hello': {
      id: 'greet:hello',
      summary: 'Say hello',
      aliases: [],
      hiddenAliases: [],
      args: {},
      flags: {},
      hidden: false,
      strict: false,
      pluginName: 'fake-cli',
      pluginType: 'core',
    },
  },
} as unknown as Interfaces.Manifest

let loads = 0
const loaders = {
  'greet:hello': async () => {
    loads++
    return {default: Hello}
  },
}
const hookCalls: Array<{event: string; id?: string}> = []
const recordHook =
  (event: string): Hook<string> =>
  async (options) => {
    hookCalls.push({event, id: (options as {id?: string}).id ?? (options as {Command?: {id: string}}).Command?.id})
  }
// What the bundle's hooks module gives: each hook's loader.
addBuiltInHooks({
  postrun: async () => recordHook('postrun'),
  command_not_found: async () => recordHook('command_not_found'),
})

const loadOptions = () => {
  const plugin = new BuiltInPlugin({root, pjson, manifest}, loaders)
  return {root, pjson, plugins: new Map([[plugin.name, plugin]])}
}

describe('the built-in plugin', () => {
  it('gives oclif every command and topic of the manifest without loading a command module', async () => {
    const config = await Config.load(loadOptions())
    expect(config.commandIDs).toEqual(['greet:hello'])
    expect(config.findCommand('greet:hello')).toMatchObject({summary: 'Say hello', pluginName: 'fake-cli'})
    expect(config.topics.map((topic) => topic.name)).toEqual(expect.arrayContaining(['greet', 'greet:loud']))
    expect(config.findTopic('greet')).toMatchObject({description: 'Greetings'})
    expect(config.version).toBe('1.2.3')
    expect(loads).toBe(0)
  })

  it('loads and runs a command only when it runs, then runs the built-in postrun hook once', async () => {
    hookCalls.length = 0
    await run(['greet', 'hello', 'world'], loadOptions())
    expect(ran).toEqual([['world']])
    expect(loads).toBe(1)
    expect(hookCalls).toEqual([{event: 'postrun', id: 'greet:hello'}])
  })

  it('runs the built-in command_not_found hook for an unknown command', async () => {
    hookCalls.length = 0
    // hush's own hook throws its message there; this one returns, and oclif takes its answer as the result.
    await run(['greet', 'helo'], loadOptions())
    expect(hookCalls).toEqual([{event: 'command_not_found', id: 'greet:helo'}])
  })
})

describe('the wrapped hook runner', () => {
  it('matches what this @oclif/core has', () => {
    expect(() => checkHookSeam()).not.toThrow()
  })

  it('fails loudly, naming the file to update, when oclif changes Config.runHook', () => {
    const prototype = Config.prototype as unknown as {runHook: unknown}
    const original = prototype.runHook
    try {
      prototype.runHook = async (_event: string) => ({successes: [], failures: []})
      expect(() => checkHookSeam()).toThrow(/@oclif\/core changed Config.runHook.*src\/bundle\/builtin-plugin.ts/)
      expect(() => addBuiltInHooks({})).toThrow(/changed Config.runHook/)
    } finally {
      prototype.runHook = original
    }
  })
})
