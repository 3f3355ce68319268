// Which host paths a deployment's docker options reach, and the refusal of those that reach hush's
// own files: a mount (`--volume`, `--mount` bind or local-volume device) whose source contains, or
// lies inside, the state directory (HUSH_HOME), the socket's runtime directory or the env-file and
// secret-file directory; and `--ipc host` (the machine's /dev/shm) while that directory is there.
import {realpathSync} from 'node:fs'
import {resolve, sep} from 'node:path'
import {HushError, quoted} from '../../api/errors.js'
import type {RunOptions} from '../../api/rules/run-options.js'
import {envFileDir, type HushPaths} from '../../config/paths.js'

/** A host path a run option would mount, with the option as the user typed it. */
export interface HostMount {
  option: string
  source: string
}

/** docker's CSV fields of one `--mount` (a quoted field keeps its commas; `""` is a quote). */
function csvFields(text: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let at = 0; at < text.length; at++) {
    const char = text[at]
    if (char === '"') {
      if (quoted && text[at + 1] === '"') {
        field += '"'
        at++
      } else quoted = !quoted
    } else if (char === ',' && !quoted) {
      fields.push(field)
      field = ''
    } else field += char
  }
  fields.push(field)
  return fields
}

/**
 * The host paths the options mount: each `--volume SRC:DST` whose SRC is a path (not a volume
 * name), each `--mount` of type bind (`source=`/`src=`), and the `device=` of a local volume made
 * by `--mount type=volume,volume-opt=device=PATH`.
 */
export function hostMounts(options: RunOptions): HostMount[] {
  const mounts: HostMount[] = []
  for (const volume of options.volume ?? []) {
    const source = volume.split(':')[0]
    if (volume.includes(':') && source.startsWith('/')) mounts.push({option: `--volume ${quoted(volume)}`, source})
  }
  for (const mount of options.mount ?? []) {
    const fields = new Map<string, string>()
    const devices: string[] = []
    for (const field of csvFields(mount)) {
      const eq = field.indexOf('=')
      const key = (eq === -1 ? field : field.slice(0, eq)).trim().toLowerCase()
      const value = eq === -1 ? '' : field.slice(eq + 1)
      if (key === 'volume-opt' && /^device=/.test(value)) devices.push(value.slice('device='.length))
      else fields.set(key, value)
    }
    const source = fields.get('source') ?? fields.get('src')
    const option = `--mount ${quoted(mount)}`
    if ((fields.get('type') ?? 'volume') === 'bind' && source) mounts.push({option, source})
    for (const device of devices) if (device.startsWith('/')) mounts.push({option, source: device})
  }
  return mounts
}

/** `path` as given (absolute) and, when it exists, with its symlinks resolved. */
function forms(path: string): string[] {
  const given = resolve(path)
  try {
    return [...new Set([given, realpathSync(given)])]
  } catch {
    return [given]
  }
}

/** `outer` is `inner` or one of its parents. */
function contains(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep)
}

/** hush's own directories on this machine, each named for a message. */
function hushDirs(paths: HushPaths): {what: string; dir: string}[] {
  const dirs = [
    {what: 'its state directory (HUSH_HOME)', dir: paths.home},
    {what: "its agent's socket directory", dir: paths.runtimeDir},
  ]
  try {
    dirs.push({what: 'its env-file and secret-file directory', dir: envFileDir(paths)})
  } catch {
    // no tmpfs: nothing can be launched anyway (docker/containers.ts says so)
  }
  return dirs
}

/**
 * Refuses, before anything is recorded or run, options that would put hush's own files (other
 * deployments' secret files, an env-file being written, the socket, the store) into the container:
 * one line naming the option and what it reaches, exit 2.
 */
export function checkHostMounts(options: RunOptions, paths: HushPaths): void {
  const dirs = hushDirs(paths)
  for (const mount of hostMounts(options)) {
    for (const source of forms(mount.source)) {
      for (const {what, dir} of dirs) {
        const reached = forms(dir).find((form) => contains(source, form) || contains(form, source))
        if (!reached) continue
        throw new HushError(
          'bad_request',
          `${mount.option} would put hush's own files in the container (${what}, ${quoted(reached)}): mount a directory that neither holds nor lies inside it.`,
        )
      }
    }
  }
  if (options.ipc === 'host') {
    const files = dirs.find((dir) => dir.what.startsWith('its env-file'))
    const shm = files && forms(files.dir).find((form) => forms('/dev/shm').some((base) => contains(base, form)))
    if (shm) {
      throw new HushError(
        'bad_request',
        `--ipc host would share this machine's /dev/shm, where hush keeps its env-files and secret files (${quoted(shm)}), with the container: drop --ipc host (--shm-size gives a larger /dev/shm), or run the agent with XDG_RUNTIME_DIR set to a private tmpfs directory of yours.`,
      )
    }
  }
}
