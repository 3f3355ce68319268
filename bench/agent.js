// Agent benchmarks: cold start to ready, acknowledged writes per second from 16 concurrent
// clients (raw sealed createSecret requests over the socket), and with 10,000 secrets: the time to
// list them over the socket and the agent's resident memory.
import {routes} from '../dist/api/contract.js'
import {AgentClient} from '../dist/client/client.js'
import {loadSodium} from '../dist/crypto/sodium.js'
import {boxValue} from '../dist/crypto/transport.js'
import {binaryBuilt, fillSecrets, median, row, rssMiB, startStore, timeRun, VARIANTS, valueRow} from './common.js'

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
    const times = {baselineMs: median(bare), hushMs: median(ready)}
    rows.push(row(`agent cold start to ready (${variant.label} daemon run)`, 'node -e 0', times))
  }
  return rows
}

/**
 * A passphrase store unsealed once opens from the kernel keyring at every agent start: from the
 * spawn to the first acknowledged write (the store is open then), against the same with the master
 * key read from the OS keyring (Secret Service over D-Bus). Aim: no slower (<= 1.1x, for noise).
 */
export async function agentOpenFromKernelKeyring({runs = 5} = {}) {
  const sodium = await loadSodium()
  const os = await startStore(VARIANTS.bundle)
  const kernel = await startStore(VARIANTS.bundle)
  try {
    await fillSecrets(os, 1, {connections: 1, prefix: 'first'})
    const passphrase = new TextEncoder().encode('bench passphrase 42')
    const init = await kernel.call(routes.init, {
      keyring: 'passphrase',
      passphrase: boxValue(sodium, kernel.hello.publicKey, passphrase),
    })
    if (init.unlockCache?.state !== 'present')
      throw new Error(`the kernel keyring did not keep the key: ${init.unlockCache?.problem}`)
    const openAndWrite = async (store, i) => {
      const ms = await store.restart()
      const began = performance.now()
      await fillSecrets(store, 1, {connections: 1, prefix: `run${i}`})
      return ms + (performance.now() - began)
    }
    const fromOs = []
    const fromKernel = []
    for (let i = 0; i < runs; i++) {
      fromOs.push(await openAndWrite(os, i))
      fromKernel.push(await openAndWrite(kernel, i))
    }
    await kernel.call(routes.seal, {})
    const times = {baselineMs: median(fromOs), hushMs: median(fromKernel)}
    return [
      row(
        'agent cold start to first write, key from the kernel keyring (passphrase store)',
        'key from the OS keyring',
        times,
        1.1,
      ),
    ]
  } finally {
    await os.stop()
    await kernel.stop()
  }
}

/** Acknowledged createSecret requests per second with `clients` concurrent connections. Aim (issue 26): >= 2,000/s. */
export async function writesPerSecond({clients = 16, writes = 3000, variant = 'bundle'} = {}) {
  const store = await startStore(VARIANTS[variant])
  try {
    await fillSecrets(store, 50, {connections: 4, prefix: 'warmup'})
    const started = performance.now()
    await fillSecrets(store, writes, {connections: clients})
    const perSecond = writes / ((performance.now() - started) / 1000)
    const label = `acknowledged writes/s, ${clients} concurrent clients (${VARIANTS[variant].label} agent)`
    return [valueRow(label, Math.round(perSecond), 'writes/s', '>= 2000', perSecond >= 2000)]
  } finally {
    await store.stop()
  }
}

/**
 * With `secrets` secrets in the store: the agent's resident memory once it has listed them once
 * (aim, issue 26: under 80 MiB), then GET /v1/secrets against GET /v1/hello over the socket (aim: under 25 ms).
 */
export async function agentWith10k({secrets = 10_000, runs = 7, variants = ['bundle', 'binary']} = {}) {
  const rows = []
  for (const name of variants) {
    if (name === 'binary' && !binaryBuilt()) continue
    const store = await startStore(VARIANTS[name])
    try {
      await fillSecrets(store, secrets)
      // One connection for the timed calls (opened after the fill, so it is not a stale one).
      const client = new AgentClient(store.paths.socket)
      try {
        const timed = async (route) => {
          const started = performance.now()
          const answer = await client.call(route, {})
          return {ms: performance.now() - started, answer}
        }
        const first = await timed(routes.listSecrets)
        if (first.answer.length !== secrets)
          throw new Error(`listed ${first.answer.length} secrets, expected ${secrets}`)
        const mib = rssMiB(store.pid)
        const rssLabel = `agent RSS with ${secrets} secrets, after listing them (${VARIANTS[name].label} agent)`
        rows.push(valueRow(rssLabel, mib, 'MiB', '< 80 MiB', mib < 80))
        await timed(routes.listSecrets)
        const list = []
        const hello = []
        for (let i = 0; i < runs; i++) {
          list.push((await timed(routes.listSecrets)).ms)
          hello.push((await timed(routes.hello)).ms)
        }
        const times = {baselineMs: median(hello), hushMs: median(list)}
        const label = `GET /v1/secrets, ${secrets} secrets, over the socket (${VARIANTS[name].label} agent)`
        rows.push({...row(label, 'GET /v1/hello', times), aim: '< 25 ms', ok: times.hushMs < 25})
      } finally {
        await client.close()
      }
    } finally {
      await store.stop()
    }
  }
  return rows
}
