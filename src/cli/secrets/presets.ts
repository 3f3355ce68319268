// `hush secrets presets`: the providers `secrets new --preset` knows and the key each one fills.
import {table} from '../../ui/render.js'
import type {CommandContext} from '../context.js'
import {PRESETS} from '../values.js'

export interface Preset {
  preset: string
  key: string
}

export async function listPresets(ctx: CommandContext): Promise<Preset[]> {
  const presets = Object.entries(PRESETS).map(([preset, key]) => ({preset, key}))
  if (ctx.json) return presets
  ctx.log(
    await table(
      ['PRESET', 'KEY'],
      presets.map((p) => [p.preset, p.key]),
    ),
  )
  ctx.log('Use one with: hush secrets new NAME --preset PRESET (the value is read without echo).')
  return presets
}
