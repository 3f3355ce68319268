// A `--secret` reference: a whole bundle (`NAME`), or one key (`KEY=NAME`, `KEY=NAME:SRCKEY`). Its
// parsing and its text, for the CLI, the agent and the deployment records alike.
import {HushError} from '../errors.js'
import {checkKey, checkSecretName} from '../limits.js'

/** A `--secret` reference as given: `NAME`, `KEY=NAME` or `KEY=NAME:SRCKEY`. */
export interface SecretRef {
  key?: string
  name: string
  srcKey?: string
}

const REF = /^(?:([^=:]+)=)?([^=:]+)(?::([^=:]+))?$/

/** Parses `NAME`, `KEY=NAME` or `KEY=NAME:SRCKEY`. */
export function parseSecretRef(text: string): SecretRef {
  const match = typeof text === 'string' ? REF.exec(text) : null
  if (!match || (match[3] !== undefined && match[1] === undefined)) {
    // Not echoed: a malformed reference may be a value pasted by mistake.
    throw new HushError('bad_request', 'A --secret is not NAME, KEY=NAME or KEY=NAME:SRCKEY: check each --secret.')
  }
  const [, key, name, srcKey] = match
  checkSecretName(name)
  const ref: SecretRef = {name}
  if (key !== undefined) ref.key = checkKey(key, 'a --secret KEY=NAME')
  if (srcKey !== undefined) ref.srcKey = checkKey(srcKey, 'a --secret KEY=NAME:SRCKEY')
  return ref
}

/** The reference's text as given on the command line (`parseSecretRef` reads it back). */
export function formatSecretRef(ref: SecretRef): string {
  if (ref.key === undefined) return ref.name
  return ref.srcKey === undefined ? `${ref.key}=${ref.name}` : `${ref.key}=${ref.name}:${ref.srcKey}`
}
