// koffi's native module (the part of koffi that peer-credentials.ts calls: load, func, errno),
// without koffi's JavaScript loader, which spends 6-8 ms finding it on every command that connects
// (it probes the platform and the libc, then wraps the module with deprecated aliases hush never
// calls). On Linux x64 with glibc (no musl loader on the machine) the module is required straight
// from koffi's platform package (the version the lockfile pins); anywhere else, or if that fails,
// koffi's own loader finds it. The single executable replaces this module with its asset
// (scripts/build-bundle.mjs, src/bundle/native.ts).
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'

/** What hush uses of koffi: a library's functions by prototype, and the errno of the last call. */
export interface KoffiNative {
  load(path: string): {func(prototype: string): (...args: never[]) => unknown}
  errno(): number
}

const GLIBC_X64_MODULE = '@koromix/koffi-linux-x64/linux_x64/koffi.node'

export function koffiNative(): KoffiNative {
  const require = createRequire(import.meta.url)
  if (process.platform === 'linux' && process.arch === 'x64' && !existsSync('/lib/ld-musl-x86_64.so.1')) {
    try {
      return require(GLIBC_X64_MODULE) as KoffiNative
    } catch {
      // koffi's own loader says what is wrong, if anything
    }
  }
  return require('koffi') as KoffiNative
}
