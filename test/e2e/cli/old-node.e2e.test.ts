// hush on a Node it does not support: the system's own /usr/bin/node (Node 20 on the CI machine, which
// .ci/run leaves alone and puts behind .node/24/bin on PATH) runs bin/run.js as a user's shell would,
// through its `#!/usr/bin/env node` line. One line naming the supported lines and the one found, exit 1,
// before anything of hush is loaded (so no stack trace from code that needs a newer Node).
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {BIN, homeForTest} from '../../support/helpers.js'

const OLD_NODE = '/usr/bin/node'

describe('an unsupported Node', () => {
  it('is refused by bin/run.js in one line naming the supported versions and the one found, exit 1', async () => {
    const version = await execa(OLD_NODE, ['--version'], {reject: false})
    expect(version.exitCode, `${OLD_NODE} must be a Node older than 22.13: ${version.stderr}`).toBe(0)
    const [major, minor] = version.stdout.slice(1).split('.').map(Number)
    expect(major < 22 || (major === 22 && minor < 13), `${OLD_NODE} is ${version.stdout}, not older than 22.13`).toBe(
      true,
    )

    // A store of its own: were the check to let a command through, no agent of another store is touched.
    const env = {...homeForTest().env, PATH: '/usr/bin:/bin'}
    for (const args of [['secrets', 'list'], ['--version'], ['daemon', 'run']]) {
      const result = await execa(BIN, args, {env, extendEnv: false, reject: false})
      expect(result.exitCode).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toBe(
        `hush: needs Node 24, or Node 22 from 22.13 (this is Node ${version.stdout.slice(1)}): install Node 24 LTS`,
      )
    }
  })
})
