// What a list of whole bundles would inject, worked out from metadata only (names and keys, never a
// value): the picker's preview, by the same rule the agent resolves with (`api/rules/precedence.ts`).
import {planKeys} from '../api/rules/precedence.js'

export interface BundleKeys {
  name: string
  keys: string[]
}

export interface PlannedKey {
  key: string
  /** The bundle whose value the key would get (the last selected bundle holding it). */
  from: string
  /** Earlier selected bundles that also hold the key and lose it to `from`. */
  shadowed: string[]
  /** A `--env KEY=...` on the command line wins: no bundle's value is injected for this key. */
  overriddenByEnv: boolean
}

/**
 * The keys injected by `selected` (names, in order), in the order they first appear (bundle order,
 * then each bundle's own key order), by the agent's own precedence rule. Unknown names are ignored.
 */
export function planEnv(bundles: BundleKeys[], selected: string[], envKeys: string[] = []): PlannedKey[] {
  const byName = new Map(bundles.map((bundle) => [bundle.name, bundle]))
  const refs = selected.map((name) => ({name}))
  return planKeys(refs, byName, envKeys).map((planned) => ({
    key: planned.key,
    from: planned.secret.name,
    shadowed: planned.shadowed.map((secret) => secret.name),
    overriddenByEnv: planned.overriddenByEnv,
  }))
}

/** The `--secret` (and `--secret-file`) flags that give the same selection on the command line. */
export function secretFlags(names: string[], files: string[] = []): string[] {
  return [...names.flatMap((name) => ['--secret', name]), ...files.flatMap((name) => ['--secret-file', name])]
}
