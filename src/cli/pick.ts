// `--pick`: choose secrets in the interactive picker instead of `--secret` flags. Ink and React are
// loaded here by dynamic import, only when a picker opens, so no other command pays for them.
import type {SecretInfo} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import {visibleOf} from '../api/rules/precedence.js'
import type {PickedSecrets, RunPickerOptions, runPicker} from '../ui/run-picker.js'
import {usage} from './base.js'
import {type IOStreams, systemIO, withProcessEnvHidden} from './io.js'

/** The picker itself: Ink on the terminal (ui/run-picker.ts), or a test's stand-in. */
export type RunPicker = typeof runPicker

export const NO_TERMINAL_MESSAGE =
  'The picker (--pick) needs a terminal: name the secrets with --secret NAME instead (repeat it for more).'

/** Fails at once, before any agent call, when there is no terminal to read keys from and draw on. */
export function assertCanPick(io: IOStreams = systemIO()): void {
  if (!io.isTTY.stdin || !(io.isTTY.stderr || io.isTTY.stdout)) throw usage(NO_TERMINAL_MESSAGE)
}

export interface PickOptions extends RunPickerOptions {
  /** The error message when the user cancels. */
  cancelMessage?: string
  /** The deployment's name (`submit --name`): its app-scoped secrets are shown instead of shared ones. */
  app?: string
  /** The picker to open (default: Ink's, loaded on use). */
  picker?: RunPicker
}

/**
 * Each name once, as a deployment named `app` would resolve it: the secret scoped to that app,
 * else the shared one; secrets scoped to other apps are not visible to it.
 */
export function visibleSecrets(secrets: SecretInfo[], app: string | undefined): SecretInfo[] {
  const byName = new Map<string, SecretInfo[]>()
  for (const secret of secrets) byName.set(secret.name, [...(byName.get(secret.name) ?? []), secret])
  return secrets.filter((secret) => visibleOf(byName.get(secret.name) ?? [], app) === secret)
}

/**
 * Opens the picker over the live secrets and returns the names picked, in selection order, to use
 * exactly like `--secret NAME` flags (and `--secret-file NAME` for those switched to files) in that order. `envKeys`: the keys of the command's `--env`
 * flags, shown as overrides. Throws a `cancelled` error (exit 1) when the user cancels.
 */
export async function pickSecrets(
  listSecrets: () => Promise<SecretInfo[]>,
  envKeys: string[],
  options: PickOptions = {},
  io: IOStreams = systemIO(),
): Promise<PickedSecrets> {
  assertCanPick(io)
  const secrets = visibleSecrets(await listSecrets(), options.app)
  const runPicker = options.picker ?? (await loadPicker()).runPicker
  const picked = await runPicker(secrets, envKeys, io, {confirmLabel: options.confirmLabel})
  if (secrets.length === 0) {
    throw new HushError(
      'cancelled',
      'No secrets to pick: create one first with hush secrets new NAME --from-stdin KEY.',
    )
  }
  if (!picked || picked.secrets.length + picked.files.length === 0) {
    throw new HushError('cancelled', options.cancelMessage ?? 'Cancelled: nothing launched.')
  }
  return picked
}

/**
 * Ink switches its live redraw off when it sees CI variables (CI, CONTINUOUS_INTEGRATION) as it
 * loads. The picker was asked for on a terminal, so those are hidden while Ink's modules load.
 */
function loadPicker(): Promise<typeof import('../ui/run-picker.js')> {
  return withProcessEnvHidden(['CI', 'CONTINUOUS_INTEGRATION'], () => import('../ui/run-picker.js'))
}
