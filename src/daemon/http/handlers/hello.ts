// GET /v1/hello: the handshake. Version, protocol and the public key values are boxed to.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const hello: Handler<Routes['hello']> = (_input, agent) => agent.hello()
