// `hush secrets presets`: the providers `secrets new --preset` knows and the key each one fills.
import {HushCommand} from '../../cli/base.js'
import {listPresets, type Preset} from '../../cli/secrets/presets.js'

export default class SecretsPresets extends HushCommand {
  static override summary = 'List the presets of `secrets new --preset` and the canonical key of each.'
  static override examples = ['<%= config.bin %> secrets presets', '<%= config.bin %> secrets new hf --preset hf']

  async run(): Promise<Preset[]> {
    await this.parse(SecretsPresets)
    return listPresets(this.context())
  }
}
