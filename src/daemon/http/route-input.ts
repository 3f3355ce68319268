// A request's input checked against its route's schema (api/contract.ts) before any handler runs:
// query-string text turned into the booleans and numbers the schema asks for, unknown fields and
// wrong types refused with one line naming the field and what it must be, never the value sent.
import * as v from 'valibot'
import type {InputSchema} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {saysYes} from '../../api/rules/yes-words.js'

/** Query-string flags arrive as text: the yes words (api/rules/yes-words.ts) and "" (a bare flag) mean yes, anything else no. */
export function queryFlag(value: string): boolean {
  return value === '' || saysYes(value)
}

/** The schema under `optional`/`nullish` wrappers. */
function unwrap(schema: v.GenericSchema): v.GenericSchema {
  let inner = schema as v.GenericSchema & {wrapped?: v.GenericSchema}
  while (inner.wrapped) inner = inner.wrapped as v.GenericSchema & {wrapped?: v.GenericSchema}
  return inner
}

/** Query-string text as the schema's types: a boolean field by `queryFlag`, a number field when it reads as one. */
export function fromQuery(schema: InputSchema, params: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = Object.create(null)
  for (const [key, text] of params) {
    const entry = Object.hasOwn(schema.entries, key) ? unwrap(schema.entries[key]) : undefined
    const type = entry?.type === 'pipe' ? (entry as unknown as {pipe: v.GenericSchema[]}).pipe[0].type : entry?.type
    if (type === 'boolean') input[key] = queryFlag(text)
    else if (type === 'number' && /^-?\d+(\.\d+)?$/.test(text)) input[key] = Number(text)
    else input[key] = text
  }
  return input
}

/** A field's name as shown in a message (at most 60 characters). */
function shown(field: string): string {
  const text = JSON.stringify(field)
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text
}

/** Refuses a field the route does not declare (a misspelt or unsupported option is never silently ignored). */
function checkFields(schema: InputSchema, input: Record<string, unknown>, where: string): void {
  const fields = Object.keys(schema.entries)
  for (const field of Object.keys(input)) {
    if (fields.includes(field)) continue
    throw new HushError(
      'bad_request',
      `Unknown field ${shown(field)} in the ${where}: this route takes ${fields.length ? fields.join(', ') : 'no fields'}.`,
      {field: field.slice(0, 60)},
    )
  }
}

/** What a schema expects, in words: `string` -> a string, `"a" | "b"` -> "a" or "b". */
function expected(issue: v.BaseIssue<unknown>): string {
  const words: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
    Array: 'a list',
    Object: 'an object',
  }
  const what = (issue.expected ?? 'something else').replace(/^\((.*)\)$/, '$1')
  return words[what] ?? what.replaceAll(' | ', ' or ')
}

function fieldOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((item) => String(item.key)).join('.') || 'input'
}

/**
 * Marks an issue without a message of its schema's own. Its line is written once the issue has its
 * path (valibot adds it on the way out): the field and what it must be, never the value received.
 */
const DEFAULT = '\u0000default'

/**
 * The route's input as its schema's type, or a 400 `bad_request` naming the first bad field.
 * `input` holds the body (POST) or the converted query, and the path parameters.
 */
export function checkInput<I>(
  schema: InputSchema & v.GenericSchema<I, I>,
  input: Record<string, unknown>,
  where: string,
): I {
  checkFields(schema, input, where)
  const result = v.safeParse(schema, input, {message: () => DEFAULT, abortEarly: true})
  if (result.success) return result.output as I
  const [issue] = result.issues
  const field = fieldOf(issue).slice(0, 60)
  const line =
    issue.message !== DEFAULT
      ? issue.message.split('\n')[0]
      : issue.received === 'undefined'
        ? `\`${field}\` is required.`
        : `\`${field}\` must be ${expected(issue)}.`
  throw new HushError('bad_request', line, {field})
}
