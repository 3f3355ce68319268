// The one precedence and visibility rule (src/api/rules/precedence.ts), checked as properties over random
// bundles, references, --env keys and scopes: the picker's preview is what the agent injects, the
// winner of a key is the last reference that fills it, --env always wins, and the store's lookup
// agrees with the CLI's filter on which scope a name resolves to.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {SecretInfo} from '../../../src/api/contract.js'
import {planKeys, visibleOf} from '../../../src/api/rules/precedence.js'
import type {SecretRef} from '../../../src/api/rules/secret-ref.js'
import {visibleSecrets} from '../../../src/cli/pick.js'
import {decidePicks} from '../../../src/daemon/deployments/resolve-env.js'
import {Store} from '../../../src/daemon/store/secrets-table.js'
import {planEnv} from '../../../src/ui/env-plan.js'

const KEYS = ['A', 'B', 'C', 'D', 'E']
const NAMES = ['n0', 'n1', 'n2', 'n3']
const APPS = ['api', 'web']

const bundles = fc.uniqueArray(
  fc.record({name: fc.constantFrom(...NAMES), keys: fc.uniqueArray(fc.constantFrom(...KEYS), {minLength: 1})}),
  {selector: (bundle) => bundle.name, maxLength: NAMES.length},
)
const ref: fc.Arbitrary<SecretRef> = fc.oneof(
  fc.record({name: fc.constantFrom(...NAMES)}),
  fc.record({name: fc.constantFrom(...NAMES), key: fc.constantFrom(...KEYS)}),
  fc.record({name: fc.constantFrom(...NAMES), key: fc.constantFrom(...KEYS), srcKey: fc.constantFrom(...KEYS)}),
)
const envKeys = fc.uniqueArray(fc.constantFrom(...KEYS, 'PLAIN'))

describe('precedence', () => {
  it('previews exactly what the agent injects for whole bundles', () => {
    fc.assert(
      fc.property(bundles, fc.array(fc.constantFrom(...NAMES), {maxLength: 6}), envKeys, (all, selected, env) => {
        const byName = new Map(all.map((bundle) => [bundle.name, bundle]))
        const preview = planEnv(all, selected, env)
          .filter((planned) => !planned.overriddenByEnv)
          .map((planned) => [planned.key, planned.from])
        const injected = [
          ...decidePicks(
            selected.map((name) => ({name})),
            byName,
            env,
          ),
        ].map(([key, pick]) => [key, pick.secret.name])
        expect(preview).toEqual(injected)
      }),
      {numRuns: 500},
    )
  })

  it('gives each key to the last reference that fills it, and none to a key --env sets', () => {
    fc.assert(
      fc.property(bundles, fc.array(ref, {maxLength: 6}), envKeys, (all, refs, env) => {
        const byName = new Map(all.map((bundle) => [bundle.name, bundle]))
        // The model: walk the references, the last write of a key wins.
        const model = new Map<string, {name: string; srcKey: string}>()
        for (const r of refs) {
          const bundle = byName.get(r.name)
          if (!bundle) continue
          if (r.key === undefined) for (const key of bundle.keys) model.set(key, {name: bundle.name, srcKey: key})
          else model.set(r.key, {name: bundle.name, srcKey: r.srcKey ?? bundle.keys[0]})
        }
        for (const key of env) model.delete(key)
        const picks = decidePicks(refs, byName, env)
        expect(new Map([...picks].map(([key, pick]) => [key, {name: pick.secret.name, srcKey: pick.srcKey}]))).toEqual(
          model,
        )
        for (const planned of planKeys(refs, byName, env)) {
          expect(planned.overriddenByEnv).toBe(env.includes(planned.key))
          expect(planned.shadowed).not.toContain(planned.secret)
        }
      }),
      {numRuns: 500},
    )
  })
})

describe('visibility', () => {
  const scoped = fc.uniqueArray(
    fc.record({name: fc.constantFrom(...NAMES), app: fc.constantFrom<string | null>(null, ...APPS)}),
    {selector: (secret) => `${secret.name}/${secret.app}`},
  )
  const deploymentApp = fc.constantFrom<string | undefined>(undefined, ...APPS, 'other')

  it("resolves a name to the deployment's own app scope, else the shared one, never another app's", () => {
    fc.assert(
      fc.property(scoped, deploymentApp, (all, app) => {
        for (const name of NAMES) {
          const candidates = all.filter((secret) => secret.name === name)
          const chosen = visibleOf(candidates, app)
          const own = candidates.find((secret) => app !== undefined && secret.app === app)
          expect(chosen).toBe(own ?? candidates.find((secret) => secret.app === null))
        }
      }),
    )
  })

  it("agrees with the store's lookup (the agent) on every name and scope", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-precedence-'))
    try {
      await fc.assert(
        fc.asyncProperty(scoped, deploymentApp, async (all, app) => {
          const store = new Store(join(dir, `${Math.random().toString(36).slice(2)}.db`))
          try {
            for (const secret of all) {
              await store.commit(() => store.insertSecret(secret.name, secret.app, '', ['K'], '2026-11-30T00:00:00Z'))
            }
            const listed = store.list(false).map(
              (row): SecretInfo => ({
                name: row.name,
                app: row.app,
                keys: row.keys,
                description: '',
                version: row.version,
                createdAt: row.createdAt,
                updatedAt: row.updatedAt,
                usedBy: [],
              }),
            )
            const shown = visibleSecrets(listed, app)
            for (const name of NAMES) {
              const agent = store.findVisible(name, app ?? null)
              const cli = shown.find((secret) => secret.name === name)
              expect(cli ? [cli.name, cli.app] : undefined).toEqual(agent ? [agent.name, agent.app] : undefined)
            }
          } finally {
            store.close()
          }
        }),
        {numRuns: 60},
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
