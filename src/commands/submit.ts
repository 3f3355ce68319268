// `hush submit IMAGE [--secret ...|--pick]... [--env KEY=VALUE]... [-- CMD ARGS]`: resolve the secrets
// in the agent and launch a container with them; --wait follows its output and exits with its code.
import {Args, Flags} from '@oclif/core'
import type {SubmitOutput} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {checkEnvPairs} from '../api/rules/env-pairs.js'
import {isSession} from '../api/rules/run-options.js'
import {envWarning} from '../api/rules/sensitive.js'
import {HushCommand, usage} from '../cli/base.js'
import {printLogs} from '../cli/deployments.js'
import {requireAgentEngine} from '../cli/engine-match.js'
import {pickSecrets} from '../cli/pick.js'
import {refuseValueCarriers, runOptionFlags, runOptionsOf} from '../cli/run-option-flags.js'
import {attachSession, checkSessionTerminal} from '../cli/session.js'
import {SWARM_ENV_NOTICE, waitForReplicas} from '../cli/swarm-wait.js'
import type {HushClient} from '../client/hush-client.js'
import {engineArgs} from '../config/docker.js'
import type {PickedSecrets} from '../ui/run-picker.js'

const multiple = {multiple: true, multipleNonGreedy: true} as const

export default class Submit extends HushCommand {
  static override summary = 'Launch a container with secrets injected as environment variables (or files).'
  static override description =
    `--secret NAME injects every key of NAME; --secret KEY=NAME injects a one-key secret as KEY; --secret KEY=NAME:SRCKEY picks one key. Later --secret options win on a shared key; --env always wins (that secret key is then not injected). Unknown secrets fail the whole submit: nothing is launched.

--pick chooses the secrets in an interactive picker instead (needs a terminal): the secrets selected are submitted exactly as if given with --secret NAME (or --secret-file NAME for those switched to files with tab), in the order selected, and the review before launch shows the keys an --env overrides. Cancelling launches nothing (exit 1).

Values reach docker through a 0600 env-file on tmpfs that is removed as soon as \`docker run\` returns; they never appear in a process argument list. Put the container's command after --.

--secret-file NAME[,uid=U][,gid=G][,mode=0440][,target=DIR][,env] mounts each key of NAME read-only at /run/secrets/KEY (or DIR/KEY; byte for byte, e.g. a PEM key; not in the env), from a file on tmpfs that lives as long as the container. The file goes to uid/gid (by default the numeric --user UID[:GID]) with mode (0400 by default); when hush cannot chown (not root) it is 0444 inside hush's private 0700 directory. env also sets KEY_FILE=/run/secrets/KEY for images that read *_FILE variables.

An --env value may be a template: {{NAME:KEY}} (spaces allowed inside the braces) is replaced by that secret value, and the result is treated as a secret (env-file, redacted logs; \`hush status\` shows the template). Write {{{{ for a literal {{.

An --env key that looks sensitive (TOKEN, SECRET, PASSWORD, KEY, ...) or a value that looks like a credential (a token prefix such as hf_, sk-, ghp_, AKIA..., or a URL with a password) prints a warning pointing at \`hush secrets new\`; silence it with --no-warn, HUSH_NO_WARN=1 or the warnSensitiveEnv preference.`
  static override usage =
    'submit IMAGE [--secret NAME | --secret KEY=NAME | --secret KEY=NAME:SRCKEY]... [--pick] [--env KEY=VALUE]... [--secret-file NAME]... [--name NAME] [--wait] [--no-warn] [docker run options (see DOCKER RUN)] [-- CMD [ARG...]]'
  static override examples = [
    '<%= config.bin %> submit hush-test/busybox --secret hf -- sh -c \'echo "token has $(printenv HF_TOKEN | wc -c) bytes"\'',
    '<%= config.bin %> submit python:3.12 --secret OPENAI_API_KEY=openai --env MODEL=gpt-4o --name job1 -- python run.py',
    '<%= config.bin %> submit postgres:16 --secret POSTGRES_PASSWORD=db:PASSWORD --publish 5432:5432 --volume pg:/var/lib/postgresql/data',
    '<%= config.bin %> submit python:3.12 --pick --env MODEL=gpt-4o -- python run.py',
    '<%= config.bin %> submit hush-test/busybox --secret hf --wait -- sh -c \'test -n "$HF_TOKEN"\'',
    '<%= config.bin %> submit nginx:1.27 --secret-file tls -- nginx  # /run/secrets/TLS_KEY, /run/secrets/TLS_CERT',
    '<%= config.bin %> submit postgres:16 --user 999 --secret-file pg,env  # POSTGRES_PASSWORD_FILE=/run/secrets/POSTGRES_PASSWORD, owned by 999',
    "<%= config.bin %> submit app:1 --env 'DATABASE_URL=postgres://app:{{db:PASSWORD}}@db/app'",
  ]
  static override args = {
    image: Args.string({description: 'the image to run', required: true, ignoreStdin: true}),
  }
  static override flags = {
    secret: Flags.string({description: 'inject a secret: NAME, KEY=NAME or KEY=NAME:SRCKEY', ...multiple}),
    pick: Flags.boolean({
      description: 'choose the secrets in an interactive picker (needs a terminal)',
      exclusive: ['secret'],
    }),
    env: Flags.string({
      description: 'a plain (visible) KEY=VALUE, or a template with {{NAME:KEY}}; wins over any secret key',
      ...multiple,
    }),
    'secret-file': Flags.string({
      description:
        'mount each key of NAME read-only at /run/secrets/KEY: NAME[,uid=U][,gid=G][,mode=0440][,target=DIR][,env]',
      ...multiple,
    }),
    name: Flags.string({description: 'a name for the deployment (also the container name)'}),
    context: Flags.string({
      description:
        'the docker context whose engine runs it (default: the dockerContext preference, else the agent’s engine)',
    }),
    wait: Flags.boolean({
      description:
        'follow the output (secret values redacted) and exit with the container’s code; with --swarm, return once every replica runs',
    }),
    swarm: Flags.boolean({
      description:
        'run it as a Docker Swarm service on this engine (a manager): secret files become Swarm secrets; see docs/swarm.md',
      exclusive: ['context'],
    }),
    'no-warn': Flags.boolean({description: 'do not warn about sensitive-looking --env keys or values'}),
    ...runOptionFlags(),
  }

  async run(): Promise<SubmitOutput> {
    const dash = this.argv.indexOf('--')
    const command = dash === -1 ? [] : this.argv.slice(dash + 1)
    refuseValueCarriers(dash === -1 ? this.argv : this.argv.slice(0, dash))
    const {args, flags} = await this.parse(Submit, dash === -1 ? this.argv : this.argv.slice(0, dash)).catch(
      (error: Error) => {
        if (/^Unexpected argument/.test(error.message)) {
          throw usage(
            `${error.message.split('\n')[0]}: put the container's command after --, as in \`hush submit IMAGE -- CMD ARGS\`.`,
          )
        }
        throw error
      },
    )
    const target = flags.swarm ? 'swarm' : 'local'
    const options = runOptionsOf(flags, target)
    if (isSession(options)) {
      if (flags.wait)
        throw usage('--wait is for detached jobs: a session (-i/-t) already shows its output and ends with it.')
      checkSessionTerminal(options.tty === true)
    }
    const env = flags.env ?? []
    checkEnvPairs(env)
    const picked = flags.pick ? await this.pick(env, flags.name) : undefined
    const secrets = picked?.secrets ?? flags.secret ?? []
    const hush = await this.hush()
    const warn = await this.shouldWarn(flags['no-warn'], env)
    const context = flags.swarm ? undefined : (flags.context ?? (await this.preferredContext()))
    // Without a context the agent's own engine runs it: it must be the one this shell sees.
    if (!context) await requireAgentEngine(hush)
    const result = await hush.submit({
      image: args.image,
      secrets,
      env,
      secretFiles: [...(flags['secret-file'] ?? []), ...(picked?.files ?? [])],
      name: flags.name,
      command,
      options,
      ...(context ? {context} : {}),
      ...(flags.swarm ? {target: 'swarm' as const} : {}),
      ...(warn ? {} : {warn: false}),
    })
    for (const warning of result.warnings) this.note(warning)
    if (flags.swarm) return this.swarmSubmitted(hush, result, flags.wait, secrets.length > 0)
    if (isSession(options)) return this.session(result, options.interactive === true, context)
    if (!flags.wait) {
      if (!this.jsonEnabled()) {
        this.log(result.id)
        this.note(
          `Submitted ${result.id} (container ${result.containerId.slice(0, 12)}, ${result.state}): see \`hush status ${result.id}\`, \`hush logs ${result.id}\`.`,
        )
      }
      return result
    }
    this.note(`Submitted ${result.id}; following its output (secret values shown as ***):`)
    const end = await printLogs(hush, this.io, result.id, true, !this.jsonEnabled())
    if (!end)
      throw new HushError(
        'internal',
        `Lost the output of ${result.id} before it ended: see \`hush status ${result.id}\`.`,
      )
    process.exitCode = end.exitCode ?? 1
    return {...result, state: end.state}
  }

  /**
   * A Swarm service was created: the id on stdout (and, with --secret, the one-line reminder that
   * env values sit in the service spec); with --wait, returns once every replica runs this revision,
   * or fails with the task error.
   */
  private async swarmSubmitted(
    hush: HushClient,
    result: SubmitOutput,
    wait: boolean,
    envSecrets: boolean,
  ): Promise<SubmitOutput> {
    if (envSecrets) this.note(SWARM_ENV_NOTICE)
    if (!this.jsonEnabled()) this.log(result.id)
    if (!wait) {
      this.note(
        `Submitted ${result.id} (service ${(result.serviceId ?? '').slice(0, 12)}): see \`hush status ${result.id}\`.`,
      )
      return result
    }
    this.note(`Submitted ${result.id}; waiting for every replica to run it...`)
    const converged = await waitForReplicas(hush, result.id)
    return {...result, state: converged.state}
  }

  /**
   * Attaches this terminal to the session's container until it ends, then reads its final state
   * (the agent then removes its secret files) over a new connection: a session may outlast the
   * agent's idle timeout. Exits with the container's code.
   */
  private async session(
    result: SubmitOutput,
    interactive: boolean,
    context: string | undefined,
  ): Promise<SubmitOutput> {
    this.note(`Session ${result.id} (container ${result.containerId.slice(0, 12)}): it ends when you leave it.`)
    const code = await attachSession(result.containerId, interactive, engineArgs(context))
    const hush = await this.newHush()
    try {
      const after = await hush.status(result.id)
      process.exitCode = after.exitCode ?? code ?? 1
      if (after.state === 'starting') {
        // docker start never reached the container: the agent removes it when its start window ends.
        this.note(
          `Session ${result.id} did not start (docker start exited ${code ?? '?'}): the agent removes its container soon; see \`hush status ${result.id}\`.`,
        )
        return {...result, state: after.state}
      }
      this.note(
        `Session ${result.id} ended: ${after.state}${after.exitCode === null ? '' : ` (exit code ${after.exitCode})`}.`,
      )
      return {...result, state: after.state}
    } finally {
      await hush.close()
    }
  }

  /**
   * The secrets chosen in the picker, as `--secret NAME` flags in the order selected. The picker
   * reads the list over a connection of its own, closed when it ends: the user may sit in it past
   * the agent's idle timeout, so the submit then connects again (starting the agent if it exited).
   */
  private async pick(env: string[], app: string | undefined): Promise<PickedSecrets> {
    const envKeys = env.map((pair) => pair.slice(0, pair.indexOf('=')))
    const hush = await this.newHush()
    try {
      return await pickSecrets(() => hush.listSecrets(), envKeys, {confirmLabel: 'launch', app}, this.io)
    } finally {
      await hush.close()
    }
  }

  /** The dockerContext preference ('' = none). */
  private async preferredContext(): Promise<string | undefined> {
    const {preference} = await import('../config/preferences.js')
    return preference(this.paths.home, 'dockerContext') || undefined
  }

  /** The advisory warning can be silenced by flag, by HUSH_NO_WARN=1 or by the warnSensitiveEnv preference. */
  private async shouldWarn(noWarn: boolean, env: string[]): Promise<boolean> {
    if (noWarn || ['1', 'true', 'yes'].includes((this.io.env.HUSH_NO_WARN ?? '').toLowerCase())) return false
    const eq = (pair: string) => pair.indexOf('=')
    if (!env.some((pair) => envWarning(pair.slice(0, eq(pair)), pair.slice(eq(pair) + 1)) !== undefined)) return true
    const {preference} = await import('../config/preferences.js')
    return preference(this.paths.home, 'warnSensitiveEnv')
  }
}
