// The lean route of the hot read paths (issue 26): `hush secrets list` and `hush complete
// secrets|deployments` (which shell completion runs on every Tab), each exactly so, with no flag,
// against a running agent of this version. They load no oclif and no undici (client/lean-get.ts)
// and print what the full command prints, with the same functions (cli/secrets/list.ts,
// cli/complete.ts). Anything else (another command line, no agent, a refusal, an error) is not
// taken here: the full program runs, and it starts the agent, asks again and says what went wrong.
import {routes} from '../api/contract.js'
import {leanGet} from '../client/lean-get.js'
import {type HushPaths, resolvePaths} from '../config/paths.js'
import {completionText, namesOf} from './complete.js'
import {type IOStreams, systemIO} from './io.js'
import {secretsText} from './secrets/list.js'

/** Each command line the lean route takes, as its words, and the output it prints; undefined: take the full route. */
const LEAN: Record<string, (paths: HushPaths) => Promise<string | undefined>> = {
  'secrets list': async (paths) => {
    const secrets = await leanGet(paths, routes.listSecrets)
    return secrets && `${await secretsText(secrets, false)}\n`
  },
  'complete secrets': async (paths) => {
    const secrets = await leanGet(paths, routes.listSecrets)
    return secrets && completionText(namesOf('secrets', secrets))
  },
  'complete deployments': async (paths) => {
    const deployments = await leanGet(paths, routes.listDeployments)
    return deployments && completionText(namesOf('deployments', deployments))
  },
}

/** Runs ARGV the lean way when it can: true once its output is written; false when the full program must run. */
export async function leanRoute(argv: string[], io: IOStreams = systemIO()): Promise<boolean> {
  const line = Object.keys(LEAN).find((words) => words === argv.join(' ') && words.split(' ').length === argv.length)
  if (line === undefined) return false
  const take = LEAN[line]
  let output: string | undefined
  try {
    output = await take(resolvePaths(io.env))
  } catch {
    return false
  }
  if (output === undefined) return false
  io.stdout.write(output)
  return true
}
