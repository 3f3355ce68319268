// What a list of whole bundles would inject, worked out from metadata only (names and keys, never a
// value): the picker's preview. Same precedence as `--secret` on the command line: bundles apply in
// order, a later one wins on a shared key, and a plain `--env KEY` wins over every bundle.

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
 * then each bundle's own key order). Unknown names are ignored.
 */
export function planEnv(bundles: BundleKeys[], selected: string[], envKeys: string[] = []): PlannedKey[] {
  const byName = new Map(bundles.map((bundle) => [bundle.name, bundle]))
  const overridden = new Set(envKeys)
  const plan = new Map<string, PlannedKey>()
  for (const name of selected) {
    const bundle = byName.get(name)
    if (!bundle) continue
    for (const key of bundle.keys) {
      const earlier = plan.get(key)
      if (earlier) {
        if (earlier.from !== name) earlier.shadowed.push(earlier.from)
        earlier.from = name
      } else {
        plan.set(key, {key, from: name, shadowed: [], overriddenByEnv: overridden.has(key)})
      }
    }
  }
  return [...plan.values()]
}

/** The `--secret` (and `--secret-file`) flags that give the same selection on the command line. */
export function secretFlags(names: string[], files: string[] = []): string[] {
  return [...names.flatMap((name) => ['--secret', name]), ...files.flatMap((name) => ['--secret-file', name])]
}
