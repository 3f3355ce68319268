// Agent benchmarks: cold start to ready, acknowledged writes per second from 16 concurrent
// clients (raw sealed createSecret requests over the socket), resident memory with 10,000 secrets.
import {routes} from '../dist/api/contract.js'
import {AgentClient} from '../dist/client/client.js'
import {binaryBuilt, fillSecrets, median, round, rssMiB, startStore, timeRun, VARIANTS} from './common.js'

/** From spawning `hush daemon run` (existing store) to the first answered hello; vs `node -e 0`. */
export async function agentColdStart({runs = 5, variants = ['bundle', 'binary']} = {}) {
  const rows = []
  for (const name of variants) {
    const variant = VARIANTS[name]
    if (name === 'binary' && !binaryBuilt()) continue
    const ready = []
    const bare = []
    for (let i = 0; i < runs; i++) {
      bare.push(timeRun(process.execPath, ['-e', '0']))
      const store = await startStore(variant)
      ready.push(store.readyMs)
      await store.stop()
    }
    const hushMs = median(ready)
    const baselineMs = median(bare)
    rows.push({
      label: `agent cold start to ready (${variant.label} daemon run)`,
      baseline: 'node -e 0',
      baselineMs: round(baselineMs),
      hushMs: round(hushMs),
      ratio: round(hushMs / baselineMs, 2),
    })
  }
  return rows
}

/** Acknowledged createSecret requests per second with `clients` concurrent connections. Aim: >= 1,000/s. */
export async function writesPerSecond({clients = 16, writes = 3000, variant = 'bundle'} = {}) {
  const store = await startStore(VARIANTS[variant])
  try {
    await fillSecrets(store, 50, {connections: 4, prefix: 'warmup'})
    const started = performance.now()
    await fillSecrets(store, writes, {connections: clients})
    const seconds = (performance.now() - started) / 1000
    const perSecond = writes / seconds
    return [
      {
        label: `acknowledged writes/s, ${clients} concurrent clients (${VARIANTS[variant].label} agent)`,
        value: Math.round(perSecond),
        unit: 'writes/s',
        aim: '>= 1000',
        ok: perSecond >= 1000,
      },
    ]
  } finally {
    await store.stop()
  }
}

/** Agent resident memory once it holds `secrets` secrets and has listed them. Aim: < 150 MB. */
export async function agentRss({secrets = 10_000, variants = ['bundle', 'binary']} = {}) {
  const rows = []
  for (const name of variants) {
    if (name === 'binary' && !binaryBuilt()) continue
    const store = await startStore(VARIANTS[name])
    try {
      await fillSecrets(store, secrets)
      // A fresh connection: the store's own one has sat idle through the fill.
      const client = new AgentClient(store.paths.socket)
      const started = performance.now()
      const listed = await client.call(routes.listSecrets, {}).finally(() => client.close())
      const listMs = performance.now() - started
      if (listed.length !== secrets) throw new Error(`listed ${listed.length} secrets, expected ${secrets}`)
      const mib = rssMiB(store.pid)
      rows.push({
        label: `agent RSS with ${secrets} secrets (${VARIANTS[name].label} agent; list round trip ${round(listMs)} ms)`,
        value: round(mib),
        unit: 'MiB',
        aim: '< 150 MB',
        ok: mib * 1.048576 < 150,
      })
    } finally {
      await store.stop()
    }
  }
  return rows
}
