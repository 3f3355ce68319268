// The shape of a route handler: typed by the contract, given the agent.
import type {RouteInput, RouteName, RouteOutput, Routes} from '../../api/contract.js'
import type {Agent} from '../agent.js'

export type Handler<R> = (input: RouteInput<R>, agent: Agent) => Promise<RouteOutput<R>> | RouteOutput<R>

export type HandlerTable = {[K in RouteName]: Handler<Routes[K]>}

/** Query-string flags arrive as text: "1", "true" and "" (a bare flag) mean yes. */
export function flag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', ''].includes(value.toLowerCase())
}
