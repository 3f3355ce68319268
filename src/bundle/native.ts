// Native addons inside the single executable (@napi-rs/keyring, koffi): each .node file is an asset
// of the executable, written to hush's private cache directory `native` (userCacheDir), checked byte
// for byte, then opened with dlopen.
import {createHash} from 'node:crypto'
import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {getAsset} from 'node:sea'
import {userCacheDir} from '../config/private-dir.js'

function sameBytes(file: string, bytes: Buffer): boolean {
  try {
    return readFileSync(file).equals(bytes)
  } catch {
    return false
  }
}

/** Loads the addon kept as asset `name` (e.g. `keyring.node`) and returns its exports. */
export function loadNativeAddon(name: string): unknown {
  const bytes = Buffer.from(getAsset(name))
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16)
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
