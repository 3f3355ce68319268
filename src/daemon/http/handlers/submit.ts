// POST /v1/deployments: resolve the secrets, launch the container, record the deployment.
import type {Routes} from '../../../api/contract.js'
import type {Handler} from './types.js'

export const submit: Handler<Routes['submit']> = (input, agent) => agent.deployments.submit(input)
