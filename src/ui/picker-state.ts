// The picker's behaviour without a screen: its state, the keystrokes it understands, and the
// pure step from one state to the next (picker.tsx draws it with Ink).
import type {Key} from 'ink'
import type {SecretInfo} from '../api/contract.js'
import {planEnv} from './env-plan.js'

export type PickerSecret = Pick<SecretInfo, 'name' | 'keys' | 'description' | 'updatedAt'>

export type Screen = 'list' | 'review'
export type Outcome = {kind: 'confirmed'; names: string[]; files: string[]} | {kind: 'cancelled'}

/** Case-insensitive substring match on the name, any key or the description. */
export function matchesFilter(secret: PickerSecret, filter: string): boolean {
  if (filter === '') return true
  const needle = filter.toLowerCase()
  return [secret.name, secret.description, ...secret.keys].some((text) => text.toLowerCase().includes(needle))
}

/** The first visible row: moves only as much as needed to keep the cursor inside the window. */
export function scrollTop(top: number, cursor: number, windowRows: number, count: number): number {
  let next = Math.min(top, Math.max(0, count - windowRows))
  if (cursor < next) next = cursor
  if (cursor >= next + windowRows) next = cursor - windowRows + 1
  return Math.max(0, next)
}

/** One keystroke, whatever way the terminal delivered it. */
export type Keystroke =
  | {kind: 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'left' | 'escape' | 'backspace' | 'space' | 'tab'}
  | {kind: 'ctrlC' | 'ctrlU'}
  | {kind: 'enter'; alone: boolean}
  | {kind: 'text'; text: string}

/**
 * Ink's key event as keystrokes. Keys typed faster than the screen redraws (or pasted) arrive as
 * one string: it is split into one keystroke per character, so none is lost.
 */
export function keystrokes(input: string, key: Key): Keystroke[] {
  if (key.escape) return [{kind: 'escape'}]
  if (key.ctrl && input === 'c') return [{kind: 'ctrlC'}]
  if (key.ctrl && input === 'u') return [{kind: 'ctrlU'}]
  if (key.upArrow) return [{kind: 'up'}]
  if (key.downArrow) return [{kind: 'down'}]
  if (key.pageUp) return [{kind: 'pageUp'}]
  if (key.pageDown) return [{kind: 'pageDown'}]
  if (key.home) return [{kind: 'home'}]
  if (key.end) return [{kind: 'end'}]
  if (key.leftArrow) return [{kind: 'left'}]
  if (key.return) return [{kind: 'enter', alone: true}]
  if (key.backspace || key.delete) return [{kind: 'backspace'}]
  if (key.tab && !key.shift) return [{kind: 'tab'}]
  if (key.ctrl || key.meta || key.tab) return []
  const chars = [...input]
  const alone = chars.length === 1
  return chars.flatMap((char): Keystroke[] => {
    if (char === '\r' || char === '\n') return [{kind: 'enter', alone}]
    if (char === '\x7f' || char === '\b') return [{kind: 'backspace'}]
    if (char === '\x03') return [{kind: 'ctrlC'}]
    if (char === '\x15') return [{kind: 'ctrlU'}]
    if (char === ' ') return [{kind: 'space'}]
    if (/[\s\p{C}]/u.test(char)) return []
    return [{kind: 'text', text: char}]
  })
}

export interface PickerState {
  screen: Screen
  filter: string
  /** Index into the filtered list. */
  cursor: number
  /** Selected names in the order they were toggled on: the order of `--secret` flags. */
  selected: string[]
  /** The selected names mounted as files (`--secret-file`) instead of env (tab toggles). */
  files: string[]
  message: string
  reviewTop: number
  outcome?: Outcome
}

export const initialState: PickerState = {
  screen: 'list',
  filter: '',
  cursor: 0,
  selected: [],
  files: [],
  message: '',
  reviewTop: 0,
}

export interface StepContext {
  secrets: PickerSecret[]
  envKeys: string[]
  listWindow: number
  reviewWindow: number
}

/** The picker's behaviour: the next state after one keystroke. Pure. */
export function step(state: PickerState, stroke: Keystroke, context: StepContext): PickerState {
  if (state.outcome) return state
  const cancelled: PickerState = {...state, outcome: {kind: 'cancelled'}}
  if (stroke.kind === 'escape' || stroke.kind === 'ctrlC') return cancelled
  if (context.secrets.length === 0) return stroke.kind === 'enter' ? cancelled : state

  if (state.screen === 'review') {
    const planLength = planEnv(context.secrets, envNames(state), context.envKeys).length
    const lastTop = Math.max(0, planLength - context.reviewWindow)
    switch (stroke.kind) {
      case 'enter':
        // A paste or a burst of keys never launches: the final enter must be a key of its own.
        return stroke.alone
          ? {...state, outcome: {kind: 'confirmed', names: envNames(state), files: fileNames(state)}}
          : state
      case 'left':
      case 'backspace':
        return {...state, screen: 'list'}
      case 'up':
        return {...state, reviewTop: Math.max(0, Math.min(lastTop, state.reviewTop - 1))}
      case 'down':
        return {...state, reviewTop: Math.min(lastTop, state.reviewTop + 1)}
      default:
        return state
    }
  }

  const visible = context.secrets.filter((secret) => matchesFilter(secret, state.filter))
  const cursor = Math.max(0, Math.min(state.cursor, visible.length - 1))
  const current = visible[cursor]
  const moveTo = (to: number): PickerState => ({...state, cursor: Math.max(0, Math.min(visible.length - 1, to))})
  const withFilter = (filter: string): PickerState => ({...state, filter, cursor: 0, message: ''})
  switch (stroke.kind) {
    case 'up':
      return moveTo(cursor - 1)
    case 'down':
      return moveTo(cursor + 1)
    case 'pageUp':
      return moveTo(cursor - context.listWindow)
    case 'pageDown':
      return moveTo(cursor + context.listWindow)
    case 'home':
      return moveTo(0)
    case 'end':
      return moveTo(visible.length - 1)
    case 'space': {
      if (!current) return state
      const {name} = current
      const selected = state.selected.includes(name)
        ? state.selected.filter((other) => other !== name)
        : [...state.selected, name]
      return {...state, cursor, selected, files: state.files.filter((file) => selected.includes(file)), message: ''}
    }
    case 'tab': {
      // Env or file: tab switches the secret under the cursor (selecting it when it was not).
      if (!current) return state
      const {name} = current
      const selected = state.selected.includes(name) ? state.selected : [...state.selected, name]
      const files = state.files.includes(name) ? state.files.filter((file) => file !== name) : [...state.files, name]
      return {...state, cursor, selected, files, message: ''}
    }
    case 'enter': {
      if (state.selected.length > 0) return {...state, screen: 'review', reviewTop: 0, message: ''}
      // Nothing toggled: enter takes the secret under the cursor, like most pickers.
      if (current) return {...state, selected: [current.name], screen: 'review', reviewTop: 0, message: ''}
      return {...state, message: 'Nothing selected: change the filter, then press space on a secret.'}
    }
    case 'backspace':
      return withFilter(state.filter.slice(0, -1))
    case 'ctrlU':
      return withFilter('')
    case 'text':
      return withFilter(state.filter + stroke.text)
    default:
      return state
  }
}

/** The selected secrets injected as env, in selection order. */
export function envNames(state: Pick<PickerState, 'selected' | 'files'>): string[] {
  return state.selected.filter((name) => !state.files.includes(name))
}

/** The selected secrets mounted as files, in selection order. */
export function fileNames(state: Pick<PickerState, 'selected' | 'files'>): string[] {
  return state.selected.filter((name) => state.files.includes(name))
}

/** `1 hf · 2 tls (file)`. */
export function selectionText(state: Pick<PickerState, 'selected' | 'files'>): string {
  return state.selected
    .map((name, index) => `${index + 1} ${name}${state.files.includes(name) ? ' (file)' : ''}`)
    .join(' · ')
}
