// What every route is made of: its shape (method, path, input schema, output type), the two
// makers, and the field types each input schema is built from. The routes themselves are in the
// files beside this one, one per topic; api/contract.ts puts them in one table.
import * as v from 'valibot'
import type {RunOptions} from '../rules/run-options.js'

export type Method = 'GET' | 'POST' | 'DELETE'

/** The schema of a route's input: a strict object (path parameters included), no transforms. */
export type InputSchema = v.StrictObjectSchema<v.ObjectEntries, undefined>

export interface Route<I, O> {
  readonly method: Method
  readonly path: `/v1/${string}`
  /** The input's schema: every field it may hold and its type; anything else is refused. */
  readonly input: InputSchema
  /** True for the few routes that work while the store is sealed (hello, unseal, ...). */
  readonly whileSealed: boolean
  /** A streaming route answers framed bytes (see api/frames.ts) instead of one JSON body. */
  readonly stream?: true
  /** A larger request body than MAX_BODY_BYTES (only routes that carry a whole backup file). */
  readonly maxBodyBytes?: number
  /**
   * The route reads deployment states or secret usage: the server reconciles the records with
   * docker once before its handler runs (handlers and services never do it themselves).
   */
  readonly refresh?: true
  /** Phantom field: carries the input and output types, never set. */
  readonly io?: {input: I; output: O}
}

export type RouteInput<R> = R extends Route<infer I, unknown> ? I : never
export type RouteOutput<R> = R extends Route<unknown, infer O> ? O : never

/** A route's input type: what its schema accepts. */
export type InputOf<S extends InputSchema> = v.InferOutput<S>

interface RouteOptions {
  /** The route answers while the store is sealed; without it, a sealed store answers 503 `sealed`. */
  whileSealed?: boolean
  maxBodyBytes?: number
  /** Fresh deployment states first (see Route.refresh). */
  refresh?: boolean
}

export const NoInput = v.strictObject({})
export type NoInput = InputOf<typeof NoInput>

/** A route whose input type I is its schema's: the compiler refuses a schema that does not give an I. */
export function route<I, O>(
  method: Method,
  path: `/v1/${string}`,
  input: InputSchema & v.GenericSchema<I, I>,
  options: RouteOptions = {},
): Route<I, O> {
  return {
    method,
    path,
    input,
    whileSealed: options.whileSealed ?? false,
    ...(options.maxBodyBytes === undefined ? {} : {maxBodyBytes: options.maxBodyBytes}),
    ...(options.refresh ? {refresh: true as const} : {}),
  }
}

export function streamRoute<I>(
  method: Method,
  path: `/v1/${string}`,
  input: InputSchema & v.GenericSchema<I, I>,
): Route<I, ByteStream> {
  return {method, path, input, whileSealed: false, stream: true}
}

// The field types every schema is made of. A message given here is the whole error line; without
// one the server says `FIELD` must be what the schema expects (never the value received).
export const text = v.string()
export const optionalText = v.optional(text)
export const flag = v.optional(v.boolean())
export const texts = v.optional(v.array(text))
/** A value (or passphrase) sealed to the agent's public key, base64. */
export const sealed = v.string()
/**
 * An object of text by key, kept as sent: valibot's own record drops keys such as `__proto__` and
 * `constructor`, which are valid env var names (and so valid keys of a bundle).
 */
export const textsByKey = (message: string) =>
  v.custom<Record<string, string>>(
    (input) =>
      typeof input === 'object' &&
      input !== null &&
      !Array.isArray(input) &&
      Object.values(input).every((item) => typeof item === 'string'),
    message,
  )
export const sealedValues = textsByKey('`values` must be an object of KEY: sealed value (a string).')
export const wholeNumber = (name: string, min: number, max: number, unit = '') =>
  v.optional(
    v.pipe(
      v.number(`\`${name}\` must be a whole number${unit} from ${min} to ${max}.`),
      v.integer(`\`${name}\` must be a whole number${unit} from ${min} to ${max}.`),
      v.minValue(min, `\`${name}\` must be a whole number${unit} from ${min} to ${max}.`),
      v.maxValue(max, `\`${name}\` must be a whole number${unit} from ${min} to ${max}.`),
    ),
  )
/** Run options: an object here; each option is checked against the run-options table (api/rules/run-options.ts). */
export const runOptions = v.custom<RunOptions>(
  (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
  '`options` must be an object.',
)

/** What a streaming route's handler returns: a readable of frames; destroyed when the client goes away. */
export type ByteStream = import('node:stream').Readable
