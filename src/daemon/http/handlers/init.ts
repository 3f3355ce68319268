// POST /v1/init: choose how the master key is kept (OS keyring or passphrase); a store in the
// other mode keeps its data key, re-wrapped under the new master key.
import type {Routes} from '../../../api/contract.js'
import {HushError} from '../../../api/errors.js'
import type {Handler} from './types.js'

export const init: Handler<Routes['init']> = (input, agent) => {
  if (input.keyring === 'os') {
    if (input.passphrase !== undefined) throw new HushError('bad_request', 'OS keyring mode takes no passphrase.')
    return agent.keyLifecycle.init('os', undefined)
  }
  const ttl = agent.unlockTtl(input.ttl)
  return agent.withPassphrase(input.passphrase, (passphrase) => agent.keyLifecycle.init('passphrase', passphrase, ttl))
}
