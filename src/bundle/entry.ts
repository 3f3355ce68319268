// The entry of the bundled program (dist/bundle for bin/run.js, and the single executable): the
// lean route of the hot read paths first (cli/lean-route.ts: no oclif, no undici), and when it is
// not taken the whole program (program.ts), loaded only then.
import {leanRoute} from '../cli/lean-route.js'

/** Runs the command line; `root` is only where oclif believes the package lives. */
export async function main(root: string): Promise<unknown> {
  if (await leanRoute(process.argv.slice(2))) return undefined
  const program = await import('./program.js')
  return program.main(root)
}
