// The package's programmatic entry: the typed client and the contract it speaks.

export * from './api/contract.js'
export {HushError} from './api/errors.js'
export {AgentClient} from './client/client.js'
export {connectAgent} from './client/connect.js'
export {resolvePaths} from './config/paths.js'
