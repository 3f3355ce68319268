// What a deployment record says beyond its columns: the secrets it shows (env keys and file paths
// apart, per version; joined in the contract's `keys`), the secrets it uses, and its file
// secrets' targets and `KEY_FILE` env.
import type {DeploymentSecret} from '../../api/contract.js'
import {type SecretFileSpec, secretFilePath} from '../../api/rules/secret-file-spec.js'
import {templateRefs} from '../../api/rules/templates.js'
import type {EnvEntry} from '../docker/containers.js'
import type {DeploymentRow, InjectedSecret} from '../store/deployments-table.js'

/** The keys a secret put in the container as users see them: env keys, or /run/secrets paths for files. */
export function shownKeys(item: InjectedSecret): string[] {
  return item.mount === 'file' ? item.keys.map((key) => secretFilePath(item, key)) : item.keys
}

/** The file secrets' target directories (when not /run/secrets), recorded with what they injected. */
export function withFileTargets(injected: InjectedSecret[], specs: SecretFileSpec[]): InjectedSecret[] {
  const targets = new Map(specs.map((spec) => [spec.name, spec.target]))
  return injected.map((item) => {
    const target = item.mount === 'file' ? targets.get(item.name) : undefined
    return target === undefined ? item : {...item, target}
  })
}

/** The env plus the `KEY_FILE` paths of `--secret-file ...,env`; a key already in the env keeps its value. */
export function withFileEnv(entries: EnvEntry[], fileEnv: EnvEntry[]): EnvEntry[] {
  return [...entries, ...fileEnv.filter((entry) => !entries.some((given) => given.key === entry.key))]
}

/** One secret of a deployment as it is shown: the env keys it set and its files' paths, apart. */
export interface ShownSecret {
  name: string
  /** The app NAME resolved to (absent: the shared secret). */
  app?: string
  version: number
  /** The env keys it set (an `--env` template's key included). */
  env: string[]
  /** The container paths of its `--secret-file` files (`/run/secrets/KEY`). */
  files: string[]
}

/** Per secret (one entry, in order): its env keys and its files' paths. */
export function shownSecrets(row: DeploymentRow): ShownSecret[] {
  const secrets: ShownSecret[] = []
  for (const item of row.injected) {
    let seen = secrets.find((secret) => secret.name === item.name && secret.version === item.version)
    if (!seen) {
      seen = {name: item.name, ...(item.app ? {app: item.app} : {}), version: item.version, env: [], files: []}
      secrets.push(seen)
    }
    if (item.mount === 'file') seen.files.push(...shownKeys(item))
    else seen.env.push(...item.keys)
  }
  return secrets
}

/**
 * The secrets in the spec's `status --json` shape, `{name, keys, version}` (`keys`: the env keys,
 * then the file paths), with the two apart as well: `env` and `files`.
 */
export function deploymentSecrets(row: DeploymentRow): DeploymentSecret[] {
  return shownSecrets(row).map((secret) => ({
    name: secret.name,
    ...(secret.app ? {app: secret.app} : {}),
    keys: [...secret.env, ...secret.files],
    env: secret.env,
    files: secret.files,
    version: secret.version,
  }))
}

/** The secrets a deployment uses: referenced by `--secret`, `--secret-file` or an `--env` template. */
export function usedSecrets(row: DeploymentRow): Set<string> {
  return new Set([
    ...row.refs.map((ref) => ref.name),
    ...row.files.map((spec) => spec.name),
    ...Object.values(row.env).flatMap((value) => templateRefs(value).map((ref) => ref.name)),
  ])
}
