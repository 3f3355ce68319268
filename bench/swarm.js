// Swarm rotation benchmark (issue 14): a 2-replica service gets a new secret value on every
// replica. hush: `hush secrets rotate NAME --from-env TOKEN --resubmit` (new Swarm secret, rolling
// `docker service update`, old Swarm secret removed), timed until every running task runs the new
// secret. Baseline, same run, alternated: the same done by hand on a twin service with the same
// update settings: `docker secret create`, `docker service update --secret-rm OLD --secret-add NEW`,
// `docker secret rm OLD`, timed the same way. One node (the test engine, made a swarm manager when
// it is none and left as found); the rolling update is the same on more nodes, only slower.
import {execFile, spawn, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {holdTestSwarm} from '../test/support/swarm-engine.js'
import {BIN, median, ROOT, row, sleep, startStore} from './common.js'

const exec = promisify(execFile)
const READER = ['sh', '-c', 'cat /run/secrets/TOKEN >/dev/null; trap "exit 0" TERM; sleep 3600 & wait']

/** Runs a command to its end (input on stdin); throws with its stderr when it fails. */
function runCommand(file, args, {env = process.env, input} = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.stdin.end(input ?? '')
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}: ${stderr.trim()}`)),
    )
  })
}

const docker = (args, input) => runCommand('docker', args, {input})

async function inspectService(service) {
  return JSON.parse(await docker(['service', 'inspect', service]))[0]
}

/** Names of the Swarm secrets a service's spec mounts. */
const secretNames = (containerSpec) => (containerSpec.Secrets ?? []).map((secret) => secret.SecretName).sort()

/**
 * Resolves once `replicas` tasks of the service run, every one with the secrets of the service's
 * current spec, and no task meant to run has other ones.
 */
async function waitForNewSecret(service, replicas, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const wanted = secretNames((await inspectService(service)).Spec.TaskTemplate.ContainerSpec).join(',')
    const ids = (await exec('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', service])).stdout
      .split('\n')
      .filter(Boolean)
    const tasks = ids.length ? JSON.parse((await exec('docker', ['inspect', '--type', 'task', ...ids])).stdout) : []
    const current = tasks.filter((task) => secretNames(task.Spec.ContainerSpec).join(',') === wanted)
    const running = current.filter((task) => task.Status.State === 'running')
    if (running.length === replicas && current.length === tasks.length) return
    if (Date.now() > deadline) throw new Error(`service ${service} did not converge on its new secret`)
    await sleep(100)
  }
}

/** The flags that give a hand-made service the update settings of `spec` (hush's service). */
function updateFlags(spec) {
  const update = spec.UpdateConfig ?? {}
  const flags = ['--update-parallelism', String(update.Parallelism ?? 1)]
  if (update.Delay) flags.push('--update-delay', `${update.Delay}ns`)
  if (update.FailureAction) flags.push('--update-failure-action', update.FailureAction)
  if (update.Monitor) flags.push('--update-monitor', `${update.Monitor}ns`)
  if (update.MaxFailureRatio) flags.push('--update-max-failure-ratio', String(update.MaxFailureRatio))
  if (update.Order) flags.push('--update-order', update.Order)
  return flags
}

export async function benchSwarmRotation({runs = 3, replicas = 2, image = 'hush-test/busybox'} = {}) {
  const built = spawnSync('bash', [join(ROOT, 'scripts', 'test-image.sh')], {stdio: ['ignore', 'inherit', 'inherit']})
  if (built.status !== 0) throw new Error('scripts/test-image.sh could not build the test image')
  const release = await holdTestSwarm()
  const store = await startStore()
  const tag = `hush-bench-${process.pid}`
  const label = `hush-bench=${process.pid}`
  const handMade = {service: `${tag}-by-hand`, secrets: []}
  const hush = (args, env = {}) => runCommand(process.execPath, [BIN, ...args], {env: {...store.env, ...env}})
  let deployment
  try {
    await hush(['secrets', 'new', 'bench-token', 'TOKEN=first-value'])
    deployment = (
      await hush([
        'submit',
        '--swarm',
        image,
        '--replicas',
        String(replicas),
        '--secret-file',
        'bench-token',
        '--name',
        tag,
        '--wait',
        '--',
        ...READER,
      ])
    ).trim()
    const {serviceId} = JSON.parse(await hush(['status', deployment, '--json']))
    await waitForNewSecret(serviceId, replicas)
    const hushSpec = (await inspectService(serviceId)).Spec

    let version = 0
    const secretName = () => `${tag}-v${version}`
    handMade.secrets.push(secretName())
    await docker(['secret', 'create', '--label', label, secretName(), '-'], 'first-value')
    await docker([
      'service',
      'create',
      '--detach',
      '--name',
      handMade.service,
      '--label',
      label,
      '--replicas',
      String(replicas),
      ...updateFlags(hushSpec),
      '--secret',
      `source=${secretName()},target=TOKEN,mode=0400`,
      image,
      ...READER,
    ])
    await waitForNewSecret(handMade.service, replicas)

    const byHand = async () => {
      const old = secretName()
      version++
      handMade.secrets.push(secretName())
      const started = performance.now()
      await docker(['secret', 'create', '--label', label, secretName(), '-'], `value-${version}`)
      await docker([
        'service',
        'update',
        '--secret-rm',
        old,
        '--secret-add',
        `source=${secretName()},target=TOKEN,mode=0400`,
        handMade.service,
      ])
      await docker(['secret', 'rm', old])
      await waitForNewSecret(handMade.service, replicas)
      return performance.now() - started
    }
    const withHush = async (i) => {
      const started = performance.now()
      await hush(['secrets', 'rotate', 'bench-token', '--from-env', 'TOKEN', '--resubmit'], {TOKEN: `hush-${i}`})
      await waitForNewSecret(serviceId, replicas)
      return performance.now() - started
    }
    const baseline = []
    const measured = []
    for (let i = 0; i < runs; i++) {
      baseline.push(await byHand())
      measured.push(await withHush(i))
    }
    return [
      row(
        `rotation reaching all ${replicas} replicas of a Swarm service (secrets rotate --resubmit, one node)`,
        'docker secret create + service update --secret-rm/--secret-add + secret rm',
        {baselineMs: median(baseline), hushMs: median(measured)},
        1.2,
      ),
    ]
  } finally {
    if (deployment) await hush(['terminate', deployment]).catch(() => undefined)
    await docker(['service', 'rm', handMade.service]).catch(() => undefined)
    for (let i = 0; i < 100; i++) {
      const left = (await exec('docker', ['secret', 'ls', '-q', '--filter', `label=${label}`])).stdout
        .split('\n')
        .filter(Boolean)
      if (left.length === 0) break
      await docker(['secret', 'rm', ...left]).catch(() => sleep(300))
    }
    await store.stop()
    await release()
  }
}
