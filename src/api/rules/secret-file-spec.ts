// `--secret-file NAME[,uid=U][,gid=G][,mode=0440][,target=DIR][,env]` (Swarm's vocabulary): its
// parsing and checks (once, at submit: a deployment records the parsed spec), and its canonical
// text. Shared by the CLI and the agent.
import {HushError} from '../errors.js'
import {checkSecretName, ENV_KEY} from '../limits.js'

/** Where secret files go when no `target=` is given. */
export const SECRET_FILES_TARGET = '/run/secrets'

export interface SecretFileSpec {
  name: string
  uid?: number
  gid?: number
  /** The file's mode when hush can give it to uid/gid (0400 when absent). */
  mode?: number
  /** The container directory of the files (absent: /run/secrets). */
  target?: string
  /** Also set `KEY_FILE=TARGET/KEY` in the container's env for each key (the `*_FILE` convention). */
  env?: boolean
}

const MAX_ID = 2 ** 31 - 1

function bad(text: string, why: string): HushError {
  return new HushError('bad_request', `--secret-file ${JSON.stringify(text).slice(0, 140)}: ${why}.`)
}

function checkId(text: string, field: string, value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_ID)
    throw bad(text, `${field}= is a numeric id from 0 to ${MAX_ID}`)
  return Number(value)
}

/** An absolute, normalised container directory: no `.`/`..` step, no empty step, no comma or quote. */
function isTargetDir(value: string): boolean {
  const steps = value.split('/').slice(1)
  return (
    value.startsWith('/') &&
    value !== '/' &&
    !steps.some((step) => step === '' || step === '.' || step === '..' || !/^[\w.@+-]+$/.test(step))
  )
}

function checkTarget(text: string, value: string): string {
  if (!isTargetDir(value)) {
    throw bad(text, 'target= is an absolute container directory such as /run/secrets/db, without . or .. steps')
  }
  return value
}

export function parseSecretFileSpec(text: unknown): SecretFileSpec {
  if (typeof text !== 'string') throw new HushError('bad_request', '`secretFiles` must be a list of strings.')
  const [name, ...fields] = text.split(',')
  const spec: SecretFileSpec = {name: checkSecretName(name)}
  for (const field of fields) {
    const eq = field.indexOf('=')
    const key = eq === -1 ? field : field.slice(0, eq)
    const value = eq === -1 ? undefined : field.slice(eq + 1)
    if (key in spec) throw bad(text, `${key} is given twice`)
    if (key === 'env' && value === undefined) spec.env = true
    else if (value === undefined) throw bad(text, `${key || 'an empty field'} is not uid=, gid=, mode=, target= or env`)
    else if (key === 'uid') spec.uid = checkId(text, 'uid', value)
    else if (key === 'gid') spec.gid = checkId(text, 'gid', value)
    else if (key === 'mode') {
      if (!/^0?[0-7]{3}$/.test(value)) throw bad(text, 'mode= is an octal file mode such as 0440')
      spec.mode = Number.parseInt(value, 8)
    } else if (key === 'target') spec.target = checkTarget(text, value)
    else throw bad(text, `${key} is not uid=, gid=, mode=, target= or env`)
  }
  return spec
}

/** The canonical text of a spec (what `status` shows; deployments recorded it before schema 7). */
export function formatSecretFileSpec(spec: SecretFileSpec): string {
  const fields = [spec.name]
  if (spec.uid !== undefined) fields.push(`uid=${spec.uid}`)
  if (spec.gid !== undefined) fields.push(`gid=${spec.gid}`)
  if (spec.mode !== undefined) fields.push(`mode=0${spec.mode.toString(8).padStart(3, '0')}`)
  if (spec.target !== undefined) fields.push(`target=${spec.target}`)
  if (spec.env) fields.push('env')
  return fields.join(',')
}

/** The secret name of a spec's text (texts recorded before the options hold the bare name). */
export function secretFileName(text: string): string {
  return text.split(',')[0]
}

/** Whether `path` is a key's file path as secretFilePath makes it (a target directory, then a key). */
export function isSecretFilePath(path: string): boolean {
  const slash = path.lastIndexOf('/')
  return slash > 0 && isTargetDir(path.slice(0, slash)) && ENV_KEY.test(path.slice(slash + 1))
}

/** The container path of one key's file. */
export function secretFilePath(spec: Pick<SecretFileSpec, 'target'>, key: string): string {
  return `${spec.target ?? SECRET_FILES_TARGET}/${key}`
}
