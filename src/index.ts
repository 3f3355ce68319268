// The package's programmatic entry: HushClient (one method per route, the client the CLI uses),
// the contract's types, and the lower-level AgentClient/connectAgent it is built on.

export * from './api/contract.js'
export {type ErrorCode, errorCodes, HushError} from './api/errors.js'
export type {EndInfo} from './api/frames.js'
export {AgentClient} from './client/client.js'
export {type Connection, connectAgent} from './client/connect.js'
export {
  HushClient,
  type HushClientOptions,
  type ListSecretsOptions,
  type RotateOptions,
  type SecretOptions,
  type SecretValues,
} from './client/hush-client.js'
export type {LogChunk} from './client/logs.js'
export {type HushPaths, resolvePaths} from './config/paths.js'
