// The shape of a route handler: typed by the contract, given the agent.
import type {RouteInput, RouteName, RouteOutput, Routes} from '../../../api/contract.js'
import type {Agent} from '../../agent.js'

export type Handler<R> = (input: RouteInput<R>, agent: Agent) => Promise<RouteOutput<R>> | RouteOutput<R>

export type HandlerTable = {[K in RouteName]: Handler<Routes[K]>}
