// `hush doctor`: checks what hush needs on this machine and explains each finding with its fix
// (cli/doctor.ts). Exit 0 when hush can do its main job (store a secret and launch a container
// with it), 1 otherwise.
import {HushCommand} from '../cli/base.js'
import {type DoctorReport, doctor} from '../cli/doctor.js'

export default class Doctor extends HushCommand {
  static override summary = 'Check that hush can work here, and say how to fix what is missing.'
  static override description =
    "Checks Node, where the master key lives (OS keyring reachable? passphrase mode? unlocked, until when?), the agent and its socket, the agent's Docker engine (and that this shell's is the same) and a tmpfs for env-files, and the store. Exit 0 when hush can store a secret and launch a container with it, 1 otherwise."
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json']

  async run(): Promise<DoctorReport> {
    await this.parse(Doctor)
    return doctor(this.context())
  }
}
