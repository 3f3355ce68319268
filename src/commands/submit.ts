// `hush submit IMAGE [--secret ...|--pick]... [--env KEY=VALUE]... [-- CMD ARGS]`: resolve the secrets
// in the agent and launch a container with them; --wait follows its output and exits with its code.
import {Args, Flags} from '@oclif/core'
import type {SubmitOutput} from '../api/contract.js'
import {HushCommand} from '../cli/base.js'
import {refuseValueCarriers, runOptionFlags, runOptionsOf} from '../cli/run-option-flags.js'
import {explainParseError, splitCommand, submit} from '../cli/submit.js'

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
    const {flags: words, command} = splitCommand(this.argv)
    refuseValueCarriers(words)
    const {args, flags} = await this.parse(Submit, words).catch(explainParseError)
    return submit(this.context(), {
      image: args.image,
      secrets: flags.secret ?? [],
      pick: flags.pick,
      env: flags.env ?? [],
      secretFiles: flags['secret-file'] ?? [],
      name: flags.name,
      context: flags.context,
      wait: flags.wait,
      swarm: flags.swarm,
      noWarn: flags['no-warn'],
      options: runOptionsOf(flags, flags.swarm ? 'swarm' : 'local'),
      command,
    })
  }
}
