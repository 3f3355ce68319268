// The audit log: what happened to secrets and deployments, newest last, never a value.
import * as v from 'valibot'
import {type InputOf, route, wholeNumber} from './route.js'

/** Every kind of audit event (a restored backup's events are checked against it). */
export const AUDIT_EVENT_TYPES = [
  'secret.created',
  'secret.replaced',
  'secret.rotated',
  'secret.deleted',
  'deployment.submitted',
  'deployment.resubmitted',
  'deployment.terminated',
  'store.unsealed',
  'store.sealed',
  'store.initialized',
  'store.rewrapped',
  'store.restored',
  'store.key_rotated',
  'store.passphrase_changed',
] as const

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number]

export interface AuditEvent {
  id: number
  at: string
  event: AuditEventType
  secret: string | null
  /** The app of an app-scoped secret (absent for a shared one and for events without a secret). */
  app?: string
  keys: string[]
  version: number | null
  deployment: string | null
  /** What a store-wide event touched (`store.restored`, `store.key_rotated`): counts by kind. */
  counts?: Record<string, number>
}

/** `limit`: the latest events, at most this many (default 1000). */
const AuditInput = v.strictObject({limit: wholeNumber('limit', 1, 100_000)})
type AuditInput = InputOf<typeof AuditInput>

export const auditRoutes = {
  audit: route<AuditInput, AuditEvent[]>('GET', '/v1/audit', AuditInput),
} as const
