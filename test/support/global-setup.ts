// Before any test: the real OS keyring must answer (scripts/test.sh starts one), and the Docker
// engine must answer with the test image built. Under CI=true a missing keyring or docker engine
// fails the run instead of letting those tests pass vacuously or skip. The engine is made a Swarm
// manager for the Swarm tests when it is none, and left as it was found at the end (test/swarm-engine.ts).
import {execa} from 'execa'
import {dockerProblem, ensureTestImage} from './docker.js'
import {holdTestSwarm} from './swarm-engine.js'

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const probe = await execa(
    'secret-tool',
    ['store', '--label=hush test probe', 'service', 'hush-test-probe', 'account', 'probe'],
    {
      input: 'probe',
      reject: false,
    },
  ).catch((error: Error) => ({exitCode: 127, stderr: error.message}))
  if (probe.exitCode !== 0) {
    throw new Error(
      `The OS keyring is not reachable (${String(probe.stderr).trim() || 'secret-tool failed'}): run the tests with \`npm test\`, which starts a D-Bus session with gnome-keyring.`,
    )
  }

  const problem = await dockerProblem()
  if (problem) {
    if (process.env.CI === 'true') throw new Error(`${problem}: CI=true needs a Docker engine (see .ci/run).`)
    process.stderr.write(`\n!!! ${problem}: the docker tests will be SKIPPED (they fail under CI=true).\n\n`)
    return undefined
  }
  await ensureTestImage()
  try {
    return await holdTestSwarm()
  } catch (error) {
    const problem = `the Docker engine cannot be made a Swarm manager (${(error as Error).message.split('\n')[0]})`
    if (process.env.CI === 'true') throw new Error(`${problem}: CI=true needs it for the Swarm tests.`)
    process.stderr.write(`\n!!! ${problem}: the Swarm tests will be SKIPPED (they fail under CI=true).\n\n`)
    return undefined
  }
}
