// The two rules that decide what a container gets, in one place for the agent (resolution) and
// the CLI (the picker's preview): which secret a name means for a deployment (its app's scope
// beats the shared one), and which bundle fills each env key (command-line order, a later bundle
// wins on a shared key, a plain `--env KEY` beats every bundle). Names and keys only, never values.

import type {SecretRef} from './secret-ref.js'

/** What one env key of the container will hold. */
export interface KeyPlan<S> {
  key: string
  /** The secret whose value the key gets (the last reference naming the key). */
  secret: S
  /** The key of `secret` whose value is taken. */
  srcKey: string
  /** Earlier secrets that also fill the key and lose it to `secret`, in order. */
  shadowed: S[]
  /** A plain `--env KEY=...` wins: no secret's value is injected for this key. */
  overriddenByEnv: boolean
}

/**
 * Every env key the references fill, in the order each key first appears (reference order, then
 * each bundle's own key order). References to names missing from `secrets` are ignored: the caller
 * reports them. A one-key reference without SRCKEY takes the bundle's first key.
 */
export function planKeys<S extends {name: string; keys: readonly string[]}>(
  refs: readonly SecretRef[],
  secrets: ReadonlyMap<string, S>,
  envKeys: Iterable<string> = [],
): KeyPlan<S>[] {
  const overridden = new Set(envKeys)
  const plan = new Map<string, KeyPlan<S>>()
  const fill = (key: string, secret: S, srcKey: string) => {
    const earlier = plan.get(key)
    if (!earlier) {
      plan.set(key, {key, secret, srcKey, shadowed: [], overriddenByEnv: overridden.has(key)})
      return
    }
    if (earlier.secret !== secret) {
      // A secret named again takes the key back: it is the winner, not among the losers.
      earlier.shadowed = [...earlier.shadowed.filter((lost) => lost !== secret), earlier.secret]
    }
    earlier.secret = secret
    earlier.srcKey = srcKey
  }
  for (const ref of refs) {
    const secret = secrets.get(ref.name)
    if (!secret) continue
    if (ref.key === undefined) {
      for (const key of secret.keys) fill(key, secret, key)
    } else {
      fill(ref.key, secret, ref.srcKey ?? secret.keys[0])
    }
  }
  return [...plan.values()]
}

/**
 * The scopes a deployment named `app` sees a secret name in, best first: its own app's scope,
 * then the shared scope (null). Without an app, only the shared scope. Other apps' secrets are
 * never visible to it.
 */
export function visibleScopes(app: string | null | undefined): (string | null)[] {
  return app === null || app === undefined ? [null] : [app, null]
}

/** Of the candidates sharing one name, the one a deployment named `app` resolves it to. */
export function visibleOf<T extends {app: string | null}>(
  candidates: readonly T[],
  app: string | null | undefined,
): T | undefined {
  for (const scope of visibleScopes(app)) {
    const found = candidates.find((candidate) => candidate.app === scope)
    if (found) return found
  }
  return undefined
}
