// GET /v1/engine: the agent's own docker engine (`daemon status`, `doctor`, and `submit`, which
// compares it with the CLI's): where its environment points docker, and with `reach` whether it answers.
import type {EngineStatus, Routes} from '../../../api/contract.js'
import {dockerVersions, inspectEngine} from '../../../config/docker.js'
import type {Handler} from './types.js'

export const engineStatus: Handler<Routes['engineStatus']> = async (input) => {
  let status: EngineStatus
  try {
    const engine = await inspectEngine(null)
    status = {...engine, server: null, problem: null}
  } catch (error) {
    return {context: '', host: '', tls: false, server: null, problem: (error as Error).message}
  }
  if (input.reach) {
    const versions = await dockerVersions()
    status.server = versions.server ?? null
    if (!versions.server)
      status.problem = versions.client ? `not reachable (${versions.error})` : `${versions.command} not found`
  }
  return status
}
