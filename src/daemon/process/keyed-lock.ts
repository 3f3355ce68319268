// One lock per key: actions on the same key run one after the other, in the order they came;
// actions on other keys run alongside. Used for a store's key changes (vault/data-key.ts), and made to fit
// the per-deployment changes of deployments/service.ts.

export class KeyedLock<K = string> {
  /** Per key, the settling of the last action queued; gone once the key is idle. */
  private readonly tails = new Map<K, Promise<unknown>>()

  /**
   * Runs `action` once every action queued before it on `key` has settled (whether it resolved or
   * threw); the result is `action`'s own, its error included.
   */
  run<T>(key: K, action: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const next = previous.then(action, action)
    const settled = next.then(
      () => undefined,
      () => undefined,
    )
    this.tails.set(key, settled)
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key)
    })
    return next
  }

  /** True while an action on `key` runs or waits. */
  busy(key: K): boolean {
    return this.tails.has(key)
  }
}
