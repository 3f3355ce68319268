// Every option of the run-options table reaches `docker run` (read back from `docker inspect`),
// survives a resubmit and shows in `status ID`; the refused and malformed ones launch nothing.
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import type {DeploymentInfo, SubmitOutput} from '../../../src/api/contract.js'
import {appliesTo, RUN_OPTIONS} from '../../../src/api/rules/run-options.js'
import {
  dockerAvailable,
  ensureTestImage,
  removeDockerStore,
  storeContainers,
  submitJson,
  TEST_IMAGE,
} from '../../support/docker.js'
import {makeHome, rawRequest, type TestHome} from '../../support/helpers.js'

const docker = await dockerAvailable(import.meta.url)
// Each case launches real containers on a shared, busy machine: minutes, not the default minute.
vi.setConfig({testTimeout: 300_000})

type Facts = {Config: Record<string, unknown>; HostConfig: Record<string, unknown>}
type Case = {args: string[]; check: (facts: Facts) => unknown; expected: unknown}

const hc = (field: string) => (facts: Facts) => facts.HostConfig[field]
const cfg = (field: string) => (facts: Facts) => facts.Config[field]

/** One case per option: the command-line words, and where `docker inspect` shows them. */
const CASES: Record<string, Case> = {
  publish: {
    args: ['-p', '127.0.0.1::80'],
    check: (f) => (f.HostConfig.PortBindings as Record<string, {HostIp: string}[]>)['80/tcp']?.[0]?.HostIp,
    expected: '127.0.0.1',
  },
  volume: {args: ['-v', '/etc/hostname:/host-name:ro'], check: hc('Binds'), expected: ['/etc/hostname:/host-name:ro']},
  mount: {
    args: ['--mount', 'type=tmpfs,target=/scratch'],
    check: (f) => (f.HostConfig.Mounts as {Type: string; Target: string}[]).map((m) => `${m.Type}:${m.Target}`),
    expected: ['tmpfs:/scratch'],
  },
  tmpfs: {args: ['--tmpfs', '/cache:size=1m'], check: hc('Tmpfs'), expected: {'/cache': 'size=1m'}},
  network: {args: ['--network', 'none'], check: hc('NetworkMode'), expected: 'none'},
  hostname: {args: ['--hostname', 'trainer'], check: cfg('Hostname'), expected: 'trainer'},
  'add-host': {args: ['--add-host', 'db.local:10.1.2.3'], check: hc('ExtraHosts'), expected: ['db.local:10.1.2.3']},
  device: {
    args: ['--device', '/dev/null:/dev/mynull'],
    check: (f) => (f.HostConfig.Devices as {PathInContainer: string}[]).map((d) => d.PathInContainer),
    expected: ['/dev/mynull'],
  },
  runtime: {args: ['--runtime', 'runc'], check: hc('Runtime'), expected: 'runc'},
  memory: {args: ['--memory', '64m'], check: hc('Memory'), expected: 64 * 1024 * 1024},
  'memory-swap': {args: ['--memory-swap=-1'], check: hc('MemorySwap'), expected: -1},
  cpus: {args: ['--cpus', '0.5'], check: hc('NanoCpus'), expected: 500_000_000},
  'shm-size': {args: ['--shm-size', '16m'], check: hc('ShmSize'), expected: 16 * 1024 * 1024},
  ipc: {args: ['--ipc', 'shareable'], check: hc('IpcMode'), expected: 'shareable'},
  pid: {args: ['--pid', 'host'], check: hc('PidMode'), expected: 'host'},
  ulimit: {
    // memlock=-1 (unlimited) needs CAP_SYS_RESOURCE on the engine's side; lowering works anywhere.
    args: ['--ulimit', 'nofile=1024:2048', '--ulimit', 'memlock=4096'],
    check: (f) => (f.HostConfig.Ulimits as {Name: string}[]).map((u) => JSON.stringify(u)).sort(),
    expected: [
      JSON.stringify({Name: 'memlock', Hard: 4096, Soft: 4096}),
      JSON.stringify({Name: 'nofile', Hard: 2048, Soft: 1024}),
    ],
  },
  restart: {
    args: ['--restart', 'on-failure:3'],
    check: (f) => f.HostConfig.RestartPolicy,
    expected: {Name: 'on-failure', MaximumRetryCount: 3},
  },
  entrypoint: {args: ['--entrypoint', '/bin/env'], check: cfg('Entrypoint'), expected: ['/bin/env']},
  workdir: {args: ['-w', '/tmp'], check: cfg('WorkingDir'), expected: '/tmp'},
  user: {args: ['-u', '1234:1234'], check: cfg('User'), expected: '1234:1234'},
  'group-add': {args: ['--group-add', '50'], check: hc('GroupAdd'), expected: ['50']},
  label: {args: ['--label', 'team=ml'], check: (f) => (f.Config.Labels as Record<string, string>).team, expected: 'ml'},
  'cap-add': {
    args: ['--cap-add', 'NET_ADMIN'],
    check: (f) => (f.HostConfig.CapAdd as string[]).map((c) => c.replace(/^CAP_/, '')),
    expected: ['NET_ADMIN'],
  },
  'cap-drop': {
    args: ['--cap-drop', 'NET_RAW'],
    check: (f) => (f.HostConfig.CapDrop as string[]).map((c) => c.replace(/^CAP_/, '')),
    expected: ['NET_RAW'],
  },
  'security-opt': {
    args: ['--security-opt', 'no-new-privileges'],
    check: hc('SecurityOpt'),
    expected: ['no-new-privileges'],
  },
  init: {args: ['--init'], check: hc('Init'), expected: true},
  'read-only': {args: ['--read-only'], check: hc('ReadonlyRootfs'), expected: true},
  platform: {
    args: ['--platform', 'linux/amd64'],
    check: (f) => (f as unknown as {Platform: string}).Platform,
    expected: 'linux',
  },
  'stop-signal': {args: ['--stop-signal', 'SIGINT'], check: cfg('StopSignal'), expected: 'SIGINT'},
  'stop-timeout': {args: ['--stop-timeout', '7'], check: cfg('StopTimeout'), expected: 7},
  'health-cmd': {
    args: ['--health-cmd', 'true'],
    check: (f) => (f.Config.Healthcheck as {Test: string[]}).Test,
    expected: ['CMD-SHELL', 'true'],
  },
  'log-driver': {
    args: ['--log-driver', 'json-file'],
    check: (f) => (f.HostConfig.LogConfig as {Type: string}).Type,
    expected: 'json-file',
  },
  'log-opt': {
    // A tag naming the container is taken; a tag template that expands the environment is refused (below).
    args: ['--log-opt', 'max-size=1m', '--log-opt', 'tag={{.Name}}'],
    check: (f) => (f.HostConfig.LogConfig as {Config: Record<string, string>}).Config['max-size'],
    expected: '1m',
  },
}

/** The session options (-i/-t): a submit with them attaches a terminal; test/e2e/deployments/session.e2e.test.ts covers them. */
const SESSION_OPTIONS = ['interactive', 'tty']

/** Options this engine has nothing to show for: docker itself refuses them, with its own reason. */
const DOCKER_REFUSES: Record<string, {args: string[]; reason: RegExp}> = {
  gpus: {args: ['--gpus', 'all'], reason: /device driver|gpu/i},
}

let t: TestHome

beforeAll(async () => {
  if (!docker) return
  await ensureTestImage()
  t = makeHome()
  await t.ok(['secrets', 'new', 'db', 'PASSWORD=pw-run-options'])
})
afterAll(async () => {
  if (t) await removeDockerStore(t)
})

async function inspectFacts(containerId: string): Promise<Facts> {
  const {stdout} = await execa('docker', ['inspect', '--type', 'container', containerId], {stdin: 'ignore'})
  return (JSON.parse(stdout) as Facts[])[0]
}

describe.skipIf(!docker)('docker run options', () => {
  it('has a case for every option of the table', () => {
    // Swarm-only options are checked by the Swarm tests.
    expect(
      RUN_OPTIONS.filter((spec) => appliesTo(spec, 'local'))
        .map((spec) => spec.name)
        .sort(),
    ).toEqual([...Object.keys(CASES), ...Object.keys(DOCKER_REFUSES), ...SESSION_OPTIONS].sort())
  })

  it('passes every option to docker run, keeps them on resubmit and shows them in status', async () => {
    // network none and pid host go in a second container (none cannot publish a port).
    const groups = [Object.keys(CASES).filter((name) => !['network', 'pid'].includes(name)), ['network', 'pid']]
    for (const group of groups) {
      const args = group.flatMap((name) => CASES[name].args)
      const d = await submitJson<SubmitOutput>(t, [TEST_IMAGE, '--secret', 'db', ...args, '--', 'sh', '-c', 'true'])
      for (const revision of [1, 2]) {
        const facts = await inspectFacts((await t.json<DeploymentInfo>(['status', d.id])).containerId!)
        for (const name of group)
          expect(CASES[name].check(facts), `--${name} (revision ${revision})`).toEqual(CASES[name].expected)
        if (revision === 1) await t.ok(['resubmit', d.id])
      }
      const shown = (await t.ok(['status', d.id])).stdout
      for (const name of group) expect(shown, `status shows --${name}`).toContain(`--${name}`)
      await t.ok(['terminate', d.id, '--grace', '0'])
    }
  }, 300_000)

  it('passes an option docker itself refuses, and reports docker’s reason in one line', async () => {
    for (const [name, {args, reason}] of Object.entries(DOCKER_REFUSES)) {
      const result = await t.hush(['submit', TEST_IMAGE, ...args, '--', 'true'])
      expect(result.exitCode, name).toBe(1)
      expect(result.stderr.trim().split('\n'), name).toHaveLength(1)
      expect(result.stderr, name).toMatch(reason)
    }
  })

  it('refuses value carriers, unknown options and bad values in one line, exit 2, launching nothing', {
    timeout: 300_000,
  }, async () => {
    const before = await storeContainers(t)
    const deployments = await t.json<DeploymentInfo[]>(['status'])
    const envFile = `${t.home}/job.env`
    await import('node:fs').then((fs) => fs.writeFileSync(envFile, 'A=1\n'))
    const refused: [string[], RegExp][] = [
      [['-e', 'TOKEN=x'], /-e is not taken.*--env KEY=VALUE.*--secret NAME/],
      [['-eTOKEN=x'], /-e is not taken/],
      // Node (22 and 24 too) reads --env-file anywhere in its argv; an existing file lets hush refuse it.
      [['--env-file', envFile], /--env-file is not taken.*--secret NAME/],
      [['--label-file=labels'], /--label-file is not taken.*--label KEY=VALUE/],
      [['--nosuch', 'x'], /Nonexistent flag: --nosuch/],
      [['--hostname=-x'], /--hostname value "-x" starts with '-'/],
      [['--entrypoint=--privileged'], /--entrypoint value "--privileged" starts with '-'/],
      [['--ulimit', 'nofile=abc'], /--ulimit value "nofile=abc" is not NAME=SOFT/],
      [['--shm-size', '1x'], /--shm-size value "1x" is not a size/],
      [['--restart', 'sometimes'], /--restart value "sometimes" is not no, always/],
      [['--label', 'hush.store=other'], /--label value "hush.store=other"/],
      [['--stop-timeout', 'soon'], /--stop-timeout needs a whole number/],
      [['--health-cmd', 'true\nfalse'], /--health-cmd value .* holds a NUL or a line break/],
      // Log options that make docker copy the environment into every log record are refused as -e is.
      [['--log-opt', 'env=TOKEN'], /--log-opt "env=TOKEN" is not taken by hush submit.*every log record/],
      [['--log-opt', 'max-size=1m', '--log-opt=env-regex=.*'], /--log-opt "env-regex=\.\*" is not taken/],
      [['--log-opt', 'labels-regex=.'], /--log-opt "labels-regex=\." is not taken/],
      [['--log-opt', 'tag={{.ContainerEnv}}'], /--log-opt "tag=\{\{\.ContainerEnv\}\}" is not taken/],
      [['--log-opt', 'tag={{.Name}}-{{ index .ContainerLabels "x" }}'], /--log-opt "tag=.*" is not taken/],
    ]
    for (const [args, message] of refused) {
      const result = await t.hush(['submit', TEST_IMAGE, '--secret', 'db', ...args, '--', 'true'])
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(result.stderr, args.join(' ')).toMatch(message)
    }
    expect(await storeContainers(t)).toEqual(before)
    expect(await t.json<DeploymentInfo[]>(['status'])).toEqual(deployments)
  })

  it('checks the options again in the agent: the API refuses what the CLI would', async () => {
    const before = await storeContainers(t)
    const bodies = [
      {'env-file': '/tmp/x'},
      {entrypoint: 'sh\n-c'},
      {hostname: '-x'},
      {ulimit: ['nofile=abc']},
      {init: 'yes'},
      {nosuch: 'x'},
      {label: 'team=ml'},
      {'log-opt': ['env=TOKEN']},
      {'log-opt': ['tag={{.ContainerEnv}}']},
    ]
    for (const options of bodies) {
      const response = await rawRequest(
        t.socket,
        'POST',
        '/v1/deployments',
        JSON.stringify({image: TEST_IMAGE, command: ['true'], options}),
        {'content-type': 'application/json'},
      )
      expect(response.status, JSON.stringify(options)).toBe(400)
      expect((response.json as {error: {message: string}}).error.message).not.toContain('\n')
    }
    expect(await storeContainers(t)).toEqual(before)
  })
})
