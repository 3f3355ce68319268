// The interactive secret picker's screens (Ink): a scrolling, filterable list of bundles toggled in
// order, then a review of the env keys the selection injects; what a key does is picker-state.ts's.
// It only ever holds metadata: there is no value to show.
import {Box, Text, useInput, useStdout} from 'ink'
import {type JSX, useEffect, useRef, useState} from 'react'
import {type PlannedKey, planEnv, secretFlags} from './env-plan.js'
import {
  envNames,
  initialState,
  keystrokes,
  matchesFilter,
  type PickerSecret,
  type PickerState,
  type StepContext,
  scrollTop,
  selectionText,
  step,
} from './picker-state.js'
import {ago} from './render.js'

export type {PickerSecret} from './picker-state.js'

export interface PickerProps {
  /** The live secrets, in the order to list them. */
  secrets: PickerSecret[]
  /** Keys given with `--env KEY=VALUE` on the command line: they win over any bundle. */
  envKeys?: string[]
  /** What the final enter does, shown in the review ("launch", "print"). */
  confirmLabel?: string
  /** The clock for "updated ... ago" (tests pin it). */
  now?: number
  /** Called once with the selected names in selection order (the order they were toggled on):
   * those injected as env, then those mounted as files (tab). */
  onConfirm: (names: string[], files: string[]) => void
  /** Called once on escape or Ctrl-C (or enter/escape on an empty store). */
  onCancel: () => void
}

/** Lines around the rows of the list screen (title, help, filter, header, two scroll marks, selection, message). */
export const LIST_CHROME_LINES = 8
/** Lines around the rows of the review screen. */
export const REVIEW_CHROME_LINES = 9
const DEFAULT_ROWS = 24

/** Rows that fit: the terminal height minus the screen's fixed lines, minus one for the cursor line. */
function windowRows(terminalRows: number, chrome: number): number {
  return Math.max(1, terminalRows - chrome - 1)
}

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width)
}

/**
 * The terminal's height, read again on every resize so the list window follows it. (Ink itself
 * re-lays out to a new width; long lines are truncated, never wrapped, so the height is exact.)
 */
function useTerminalRows(): number {
  const {stdout} = useStdout()
  const [rows, setRows] = useState(() => stdout.rows || DEFAULT_ROWS)
  useEffect(() => {
    const onResize = () => setRows(stdout.rows || DEFAULT_ROWS)
    stdout.on('resize', onResize)
    onResize()
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout])
  return rows
}

export function Picker({
  secrets,
  envKeys = [],
  confirmLabel = 'confirm',
  now,
  onConfirm,
  onCancel,
}: PickerProps): JSX.Element | null {
  const rows = useTerminalRows()
  const [state, setState] = useState<PickerState>(initialState)
  const listTop = useRef(0)
  const reported = useRef(false)
  const {screen, filter, cursor, selected, files, message, reviewTop, outcome} = state

  const visible = secrets.filter((secret) => matchesFilter(secret, filter))
  const plan = planEnv(secrets, envNames(state), envKeys)
  const listWindow = windowRows(rows, LIST_CHROME_LINES)
  const reviewWindow = windowRows(rows, REVIEW_CHROME_LINES)

  // Report the outcome only after its final frame is on screen.
  useEffect(() => {
    if (!outcome || reported.current) return
    reported.current = true
    if (outcome.kind === 'confirmed') onConfirm(outcome.names, outcome.files)
    else onCancel()
  }, [outcome, onConfirm, onCancel])

  useInput(
    (input, key) => {
      const context: StepContext = {secrets, envKeys, listWindow, reviewWindow}
      const strokes = keystrokes(input, key)
      if (strokes.length > 0) setState((prev) => strokes.reduce((next, stroke) => step(next, stroke, context), prev))
    },
    {isActive: outcome === undefined},
  )

  if (outcome) {
    if (outcome.kind === 'cancelled') return null
    const picked = selected.map((name) => (files.includes(name) ? `${name} (file)` : name))
    return <Text wrap="truncate-end">Picked, in order: {picked.join(', ')}</Text>
  }

  if (secrets.length === 0) {
    return (
      <Box flexDirection="column">
        <Text bold>No secrets yet: there is nothing to pick.</Text>
        <Text>Create one first, for example:</Text>
        <Text> hush secrets new NAME --from-stdin KEY</Text>
        <Text dimColor>enter or esc to exit</Text>
      </Box>
    )
  }

  if (screen === 'review') {
    return (
      <Review
        plan={plan}
        selected={selected}
        files={files}
        confirmLabel={confirmLabel}
        top={Math.min(reviewTop, Math.max(0, plan.length - reviewWindow))}
        windowRows={reviewWindow}
      />
    )
  }

  const top = scrollTop(listTop.current, Math.min(cursor, Math.max(0, visible.length - 1)), listWindow, visible.length)
  listTop.current = top
  const shown = visible.slice(top, top + listWindow)
  const below = visible.length - top - shown.length
  const nameWidth = Math.min(28, Math.max(4, ...secrets.map((secret) => secret.name.length)))
  const keysWidth = Math.min(40, Math.max(4, ...secrets.map((secret) => secret.keys.join(',').length)))
  const markWidth = String(Math.max(selected.length, 1)).length + 3
  const row = (mark: string, name: string, keys: string, updated: string, description: string) =>
    `${cell(mark, markWidth)}${cell(name, nameWidth)}  ${cell(keys, keysWidth)}  ${cell(updated, 9)}  ${description}`
  const clock = now ?? Date.now()

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        Pick the secrets to inject (names and keys only: values are never shown)
      </Text>
      <Text dimColor wrap="truncate-end">
        ↑/↓ move · space toggle · tab env/file · type to filter · enter review · esc cancel
      </Text>
      <Text wrap="truncate-end">
        Filter: {filter === '' ? <Text dimColor>(type to filter by name, key or description)</Text> : filter}
        {'  '}
        <Text dimColor>
          {visible.length} of {secrets.length}
        </Text>
      </Text>
      <Text dimColor wrap="truncate-end">
        {`  ${row('', 'NAME', 'KEYS', 'UPDATED', 'DESCRIPTION')}`}
      </Text>
      <Text dimColor wrap="truncate-end">
        {top > 0 ? `  ↑ ${top} more` : ' '}
      </Text>
      {visible.length === 0 ? (
        <Text wrap="truncate-end">No secret matches "{filter}" (backspace edits the filter).</Text>
      ) : (
        shown.map((secret, index) => {
          const isCursor = top + index === Math.min(cursor, visible.length - 1)
          const order = selected.indexOf(secret.name)
          const mark = order >= 0 ? `[${order + 1}]` : '[ ]'
          // A secret switched to files (tab) shows its keys as the files they become.
          const keys = (files.includes(secret.name) ? 'files: ' : '') + secret.keys.join(',')
          return (
            <Text
              key={secret.name}
              wrap="truncate-end"
              color={isCursor ? 'cyan' : order >= 0 ? 'green' : undefined}
              bold={isCursor}
            >
              {`${isCursor ? '>' : ' '} ${row(mark, secret.name, keys, ago(secret.updatedAt, clock), secret.description)}`}
            </Text>
          )
        })
      )}
      <Text dimColor wrap="truncate-end">
        {below > 0 ? `  ↓ ${below} more` : ' '}
      </Text>
      <Text wrap="truncate-end">
        Selected, in order:{' '}
        {selected.length === 0 ? (
          <Text dimColor>none (space toggles; a later one wins on a shared key)</Text>
        ) : (
          selectionText({selected, files})
        )}
      </Text>
      <Text color={message ? 'yellow' : undefined} dimColor={!message} wrap="truncate-end">
        {message || (envKeys.length > 0 ? `--env on the command line wins for: ${envKeys.join(', ')}` : ' ')}
      </Text>
    </Box>
  )
}

function noteFor(entry: PlannedKey): string {
  const notes: string[] = []
  if (entry.overriddenByEnv) notes.push(`not injected: --env ${entry.key} wins`)
  if (entry.shadowed.length > 0) notes.push(`also in ${entry.shadowed.join(', ')}: ${entry.from} wins (later)`)
  return notes.join('; ')
}

function Review(props: {
  plan: PlannedKey[]
  selected: string[]
  files: string[]
  confirmLabel: string
  top: number
  windowRows: number
}): JSX.Element {
  const {plan, selected, files, confirmLabel, top, windowRows} = props
  const envSelected = selected.filter((name) => !files.includes(name))
  const fileSelected = selected.filter((name) => files.includes(name))
  const keyWidth = Math.min(40, Math.max(3, ...plan.map((entry) => entry.key.length)))
  const fromWidth = Math.min(28, Math.max(4, ...plan.map((entry) => entry.from.length)))
  const line = (key: string, from: string, note: string) =>
    `  ${cell(key, keyWidth)}  ${cell(from, fromWidth)}  ${note}`
  const shown = plan.slice(top, top + windowRows)
  const below = plan.length - top - shown.length
  const injected = plan.filter((entry) => !entry.overriddenByEnv).length
  const overridden = plan.length - injected
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        Review before you {confirmLabel}: these env keys will be injected
      </Text>
      <Text wrap="truncate-end">
        Bundles in order (a later one wins on a shared key): {selectionText({selected, files})}
      </Text>
      <Text dimColor wrap="truncate-end">
        Same as: {secretFlags(envSelected, fileSelected).join(' ')}
      </Text>
      <Text wrap="truncate-end">
        {fileSelected.length > 0
          ? `Mounted as read-only files (/run/secrets/KEY), not env: ${fileSelected.join(', ')}`
          : ' '}
      </Text>
      <Text dimColor wrap="truncate-end">
        {line('KEY', 'FROM', 'NOTE')}
      </Text>
      <Text dimColor wrap="truncate-end">
        {top > 0 ? `  ↑ ${top} more` : ' '}
      </Text>
      {shown.map((entry) => (
        <Text key={entry.key} wrap="truncate-end" color={entry.overriddenByEnv ? 'yellow' : undefined}>
          {line(entry.key, entry.from, noteFor(entry))}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">
        {below > 0 ? `  ↓ ${below} more` : ' '}
      </Text>
      <Text wrap="truncate-end">
        {injected} {injected === 1 ? 'key' : 'keys'} injected
        {overridden > 0 ? `, ${overridden} overridden by --env (not injected)` : ''}
      </Text>
      <Text dimColor wrap="truncate-end">
        enter {confirmLabel} · ←/backspace back · ↑/↓ scroll · esc cancel
      </Text>
    </Box>
  )
}
