// Before any test: the real OS keyring must answer (scripts/test.sh starts one). Under CI=true a
// missing keyring fails the run instead of letting keyring tests pass vacuously.
import {execa} from 'execa'

export default async function setup(): Promise<void> {
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
}
