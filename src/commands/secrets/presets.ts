// `hush secrets presets`: the providers `secrets new --preset` knows and the key each one fills.
import {HushCommand} from '../../cli/base.js'
import {PRESETS} from '../../cli/values.js'
import {table} from '../../ui/render.js'

export default class SecretsPresets extends HushCommand {
  static override summary = 'List the presets of `secrets new --preset` and the canonical key of each.'
  static override examples = ['<%= config.bin %> secrets presets', '<%= config.bin %> secrets new hf --preset hf']

  async run(): Promise<Array<{preset: string; key: string}>> {
    await this.parse(SecretsPresets)
    const presets = Object.entries(PRESETS).map(([preset, key]) => ({preset, key}))
    if (!this.jsonEnabled()) {
      this.log(
        await table(
          ['PRESET', 'KEY'],
          presets.map((p) => [p.preset, p.key]),
        ),
      )
      this.log('Use one with: hush secrets new NAME --preset PRESET (the value is read without echo).')
    }
    return presets
  }
}
