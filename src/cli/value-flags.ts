// The arguments and flags that give secret values, shared by `secrets new` and `secrets rotate`.
import {Args, Flags} from '@oclif/core'

export const valueArgs = {
  name: Args.string({description: 'secret name', required: true, ignoreStdin: true}),
  pairs: Args.string({description: 'KEY=VALUE pairs', multiple: true, ignoreStdin: true}),
}

export const valueFlags = {
  'from-env': Flags.string({description: 'take KEY from this environment', multiple: true, multipleNonGreedy: true}),
  'from-stdin': Flags.string({description: 'read the value of KEY from standard input (hidden on a terminal)'}),
}
