// Native addons inside the single executable (@napi-rs/keyring, koffi): each .node file is an asset
// of the executable, written to a private 0700 directory, checked byte for byte, then opened with dlopen.
import {createHash} from 'node:crypto'
import {lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {getAsset} from 'node:sea'

/** ~/.cache/hush/native (XDG_CACHE_HOME honoured); refused unless it is the user's own 0700 directory. */
function privateDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  const dir = join(base, 'hush', 'native')
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const stat = lstatSync(dir)
  const uid = process.getuid?.() ?? stat.uid
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    throw new Error(
      `${dir} must be a directory of your own with mode 0700 (chmod 700 ${dir}) to hold hush's native modules`,
    )
  }
  return dir
}

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
  const dir = privateDir()
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
