// The agent's environment is its own: the few variables it needs (home, PATH, its store, the
// runtime and XDG directories, the docker engine's configuration, the D-Bus session of the OS
// keyring, locale), never the starting command's NODE_* options, preloads or value sources.

const KEEP_EXACT = new Set([
  'HOME',
  'PATH',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'TZ',
  'LANG',
  'LANGUAGE',
  'DBUS_SESSION_BUS_ADDRESS',
])
const KEEP_PREFIXES = ['HUSH_', 'XDG_', 'DOCKER_', 'LC_']

/** True for a variable the agent keeps. */
export function isAgentVariable(name: string): boolean {
  return KEEP_EXACT.has(name) || KEEP_PREFIXES.some((prefix) => name.startsWith(prefix))
}

/** The agent's environment, taken from `env`: only its own variables. */
export function agentEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && isAgentVariable(name)) kept[name] = value
  }
  return kept
}
