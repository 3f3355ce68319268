// Native addons inside the single executable (@napi-rs/keyring, koffi): each .node file is an asset
// of the executable, written to hush's private cache directory `native` (userCacheDir) under a name
// with its digest (taken at build time: the asset native-digests.json, by scripts/build-binary.mjs),
// checked byte for byte, then opened with dlopen.
import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {getAsset, getRawAsset} from 'node:sea'
import {userCacheDir} from '../config/private-dir.js'

function sameBytes(file: string, bytes: Buffer): boolean {
  try {
    return readFileSync(file).equals(bytes)
  } catch {
    return false
  }
}

let digests: Record<string, string> | undefined

/** Loads the addon kept as asset `name` (e.g. `keyring.node`) and returns its exports. */
export function loadNativeAddon(name: string): unknown {
  digests ??= JSON.parse(getAsset('native-digests.json', 'utf8')) as Record<string, string>
  const digest = digests[name]
  if (!digest || !/^[0-9a-f]{16}$/.test(digest)) throw new Error(`this executable carries no digest of ${name}`)
  // A view of the executable's own copy (read only, never written to): no 1 MB copy per start.
  const bytes = Buffer.from(getRawAsset(name))
  const dir = userCacheDir('native')
  const file = join(dir, `${name.replace(/\.node$/, '')}-${digest}.node`)
  if (!sameBytes(file, bytes)) {
    const temp = join(dir, `.${name}.${process.pid}.tmp`)
    rmSync(temp, {force: true})
    writeFileSync(temp, bytes, {mode: 0o600, flag: 'wx'})
    renameSync(temp, file)
  }
  const module = {exports: {} as unknown}
  process.dlopen(module, file)
  return module.exports
}
