// The one typed contract between the CLI and the agent: every route with its method, path,
// input and output. Both ends import it, so a changed field breaks the compiler, not a user.
//
// Input travels as path parameters (`:name`), then the query string for GET and DELETE,
// or a JSON body for POST. No output type holds a secret value.
//
// Sealed guard: in passphrase mode every route answers 503 `sealed` while the store is sealed,
// unless it is declared with `{whileSealed: true}` (the server checks this in one place). New
// secret and deploy routes therefore get the guard by default, without declaring anything.
//
// Checked input: each route's input is a schema (valibot, strict objects), and its TypeScript type
// is derived from it. The server checks every request against it before dispatch (api/route-input.ts):
// an unknown field or a wrong type is refused with 400 naming the field, so handlers get true types.
// Flags and numbers are JSON booleans and numbers; only a query string (GET, DELETE) carries them
// as text, converted by the server from the schema.
//
// The routes live in api/routes/, one file per topic (route.ts: what a route is made of); this file
// puts them in the one table both ends use, and re-exports their types.

import {agentRoutes} from './routes/agent.js'
import {auditRoutes} from './routes/audit.js'
import {backupRoutes} from './routes/backup.js'
import {deploymentRoutes} from './routes/deployments.js'
import {keyRoutes} from './routes/keys.js'
import {secretRoutes} from './routes/secrets.js'

export * from './routes/agent.js'
export * from './routes/audit.js'
export * from './routes/backup.js'
export * from './routes/deployments.js'
export * from './routes/keys.js'
export type {ByteStream, InputSchema, Method, Route, RouteInput, RouteOutput} from './routes/route.js'
export * from './routes/secrets.js'
export type {DeploymentTarget, RunOptions} from './rules/run-options.js'

export const routes = {
  ...agentRoutes,
  ...secretRoutes,
  ...auditRoutes,
  ...deploymentRoutes,
  ...backupRoutes,
  ...keyRoutes,
} as const

export type Routes = typeof routes
export type RouteName = keyof Routes
