// What a deployment record says beyond its columns: the secrets it shows (env keys and file
// paths, per version), the secrets it uses, and its file secrets' targets and `KEY_FILE` env.
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

/** Per secret (one entry, in order): its env keys, then its files as /run/secrets paths. */
export function deploymentSecrets(row: DeploymentRow): DeploymentSecret[] {
  const secrets: DeploymentSecret[] = []
  for (const item of row.injected) {
    const keys = shownKeys(item)
    const seen = secrets.find((secret) => secret.name === item.name && secret.version === item.version)
    if (seen) seen.keys = [...seen.keys, ...keys]
    else secrets.push({name: item.name, ...(item.app ? {app: item.app} : {}), keys, version: item.version})
  }
  return secrets
}

/** The secrets a deployment uses: referenced by `--secret`, `--secret-file` or an `--env` template. */
export function usedSecrets(row: DeploymentRow): Set<string> {
  return new Set([
    ...row.refs.map((ref) => ref.name),
    ...row.files.map((spec) => spec.name),
    ...Object.values(row.env).flatMap((value) => templateRefs(value).map((ref) => ref.name)),
  ])
}
