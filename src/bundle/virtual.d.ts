// Modules that exist only inside the bundle, made by scripts/build-bundle.mjs at build time.
declare module 'hush:commands' {
  import type {Command} from '@oclif/core'
  /** Each command's module by oclif id, imported on demand. */
  export const COMMAND_LOADERS: Record<string, () => Promise<{default: Command.Class}>>
}
declare module 'hush:manifest' {
  import type {Interfaces} from '@oclif/core'

  const manifest: Interfaces.Manifest
  export default manifest
}
declare module 'hush:pjson' {
  import type {Interfaces} from '@oclif/core'

  const pjson: Interfaces.PJSON
  export default pjson
}
declare module 'hush:hooks' {
  import type {Hook} from '@oclif/core'
  /** package.json's hooks by event, imported on demand (oclif cannot load them from disk here). */
  export const HOOK_LOADERS: Record<string, () => Promise<Hook<string>>>
}
