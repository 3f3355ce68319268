// The version of this hush build, read from package.json; the CLI and the agent compare it.
import {readFileSync} from 'node:fs'

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}
).version
