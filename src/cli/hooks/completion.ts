// Shell completion of names: after @oclif/plugin-autocomplete writes its bash and zsh scripts
// (`hush autocomplete`), this adds secret names (after --secret, --secret-file and `secrets
// rotate|delete|show`) and deployment ids and names (after status, logs, terminate, resubmit),
// asked from a running agent by `hush complete` (never started for it; nothing when none answers).
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Hook, Interfaces} from '@oclif/core'

const MARK = '# hush: names completion'

/** The commands whose first argument is a secret name, and those whose first argument is a deployment. */
const SECRET_COMMANDS = ['secrets rotate', 'secrets delete', 'secrets show']
const DEPLOYMENT_COMMANDS = ['status', 'logs', 'terminate', 'resubmit']
const SECRET_FLAGS = ['--secret', '--secret-file']

/** Every flag that takes a value (so the word after it is not an argument), for the shell to skip. */
function valueFlags(config: Interfaces.Config): string[] {
  const names = new Set<string>()
  for (const command of config.commands) {
    for (const [name, flag] of Object.entries(command.flags)) {
      if (flag.type === 'option') names.add(`--${name}`)
    }
  }
  return [...names].sort()
}

function bashNames(bin: string, config: Interfaces.Config): string {
  const fn = `_${bin}_names_complete`
  return `
${MARK}
${fn}()
{
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" kind="" words="" skip=0 i w
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # "--secret=na": bash splits on "=", so the flag is one word further back.
  if [[ "$prev" == "=" ]] && ((COMP_CWORD > 1)); then prev="\${COMP_WORDS[COMP_CWORD-2]}"; fi
  case " ${SECRET_FLAGS.join(' ')} " in *" $prev "*) kind=secrets ;; esac
  if [[ -z "$kind" ]]; then
    for ((i = 1; i < COMP_CWORD; i++)); do
      w="\${COMP_WORDS[i]}"
      if ((skip)); then skip=0; continue; fi
      case "$w" in
        -*=*|=) ;;
        -*) case " ${valueFlags(config).join(' ')} " in *" $w "*) skip=1 ;; esac ;;
        *) words="\${words:+$words }$w" ;;
      esac
    done
    case "$words" in
      ${SECRET_COMMANDS.map((command) => `"${command}"`).join('|')}) kind=secrets ;;
      ${DEPLOYMENT_COMMANDS.map((command) => `"${command}"`).join('|')}) kind=deployments ;;
    esac
  fi
  if [[ -n "$kind" && "$cur" != -* ]]; then
    local IFS=$'\\n'
    COMPREPLY=($(compgen -W "$(${bin} complete "$kind" 2>/dev/null)" -- "$cur"))
    return 0
  fi
  _${bin}_autocomplete
}
complete -F ${fn} ${bin}
`
}

function zshNames(bin: string): string {
  return `
${MARK}
_${bin}_names() {
  local kind="" line="\${words[2,CURRENT-1]}"
  case "\${words[CURRENT-1]}" in ${SECRET_FLAGS.join('|')}) kind=secrets ;; esac
  if [[ -z "$kind" && "\${words[CURRENT]}" != -* ]]; then
    case "$line" in
      ${SECRET_COMMANDS.map((command) => `"${command}"`).join('|')}) kind=secrets ;;
      ${DEPLOYMENT_COMMANDS.map((command) => `"${command}"`).join('|')}) kind=deployments ;;
    esac
  fi
  if [[ -n "$kind" ]]; then
    local -a names
    names=(\${(f)"$(${bin} complete $kind 2>/dev/null)"})
    compadd -a names
    return
  fi
  _${bin} "$@"
}
# This file is autoloaded as the function _${bin}: from now on completion goes through _${bin}_names.
compdef _${bin}_names ${bin}
_${bin}_names "$@"
`
}

/**
 * Appends `addition` to `file` once (a rerun of `hush autocomplete` rewrites the file, then this
 * adds it again); `ending`, when given, is the plugin's last line, which the addition replaces.
 */
function addOnce(file: string, addition: string, ending?: RegExp): void {
  if (!existsSync(file)) return
  const text = readFileSync(file, 'utf8')
  if (text.includes(MARK)) return
  if (ending && !ending.test(text)) return
  writeFileSync(file, `${ending ? text.replace(ending, '\n') : text}${addition}`)
}

const hook: Hook<'postrun'> = async ({Command, config}) => {
  if (Command.id !== 'autocomplete' && Command.id !== 'autocomplete:create') return
  const functions = join(config.cacheDir, 'autocomplete', 'functions')
  addOnce(join(functions, 'bash', `${config.bin}.bash`), bashNames(config.bin, config))
  // The zsh file ends by calling _BIN, which the names function calls in turn.
  addOnce(join(functions, 'zsh', `_${config.bin}`), zshNames(config.bin), new RegExp(`\\n_${config.bin}\\n\\s*$`))
}

export default hook
