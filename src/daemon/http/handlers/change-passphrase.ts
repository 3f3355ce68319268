// POST /v1/init/change-passphrase: passphrase mode; the data key re-wrapped under a new passphrase.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const changePassphrase: Handler<Routes['changePassphrase']> = async (input, agent) => {
  const current = agent.openPassphrase(input.passphrase)
  try {
    const next = agent.openPassphrase(input.newPassphrase)
    try {
      return await agent.keyChange.changePassphrase(current, next)
    } finally {
      agent.sodium.memzero(next)
    }
  } finally {
    agent.sodium.memzero(current)
  }
}
