// Runs the picker with Ink on the real terminal and resolves with the names picked (env or file), in order.
// Loaded only by dynamic import (src/cli/pick.ts), so no other command pays for React and Ink.
import {render} from 'ink'
import {createElement} from 'react'
import {Picker, type PickerSecret} from './picker.js'

/** What was picked, in selection order: secrets to inject as env (`--secret`), and as files (`--secret-file`). */
export interface PickedSecrets {
  secrets: string[]
  files: string[]
}

/** The terminal the picker draws on: the command's streams (cli/io.ts), never the process's own. */
export interface PickerTerminal {
  stdin: NodeJS.ReadableStream
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  isTTY: {stderr: boolean}
}

export interface RunPickerOptions {
  /** What the final enter does, shown in the review ("launch", "print"). */
  confirmLabel?: string
}

/**
 * Draws on stderr when it is a terminal (so stdout stays clean for `--json` and `$(...)`), else on
 * stdout. Resolves with the selected names in selection order, or undefined when cancelled.
 */
export async function runPicker(
  secrets: PickerSecret[],
  envKeys: string[],
  terminal: PickerTerminal,
  options: RunPickerOptions = {},
): Promise<PickedSecrets | undefined> {
  const output = (terminal.isTTY.stderr ? terminal.stderr : terminal.stdout) as NodeJS.WriteStream
  const stdin = terminal.stdin as NodeJS.ReadStream
  let picked: PickedSecrets | undefined
  const instance = render(
    createElement(Picker, {
      secrets,
      envKeys,
      confirmLabel: options.confirmLabel,
      onConfirm: (names: string[], files: string[]) => {
        picked = {secrets: names, files}
        instance.unmount()
      },
      onCancel: () => instance.unmount(),
    }),
    {stdout: output, stdin, exitOnCtrlC: false, patchConsole: false},
  )
  await instance.waitUntilExit()
  // Ink leaves stdin referenced and paused; let the command go on (and the process end) normally.
  stdin.pause()
  return picked
}
