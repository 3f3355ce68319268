// A short SHA-256 of a text, in hex: the runtime directory's tag (paths.ts) and the docker
// environment's digest (docker.ts). From @noble/hashes, the same digest as node:crypto's, which every
// command would otherwise load just for this (~4 ms).
import {sha256} from '@noble/hashes/sha2.js'
import {bytesToHex, utf8ToBytes} from '@noble/hashes/utils.js'

/** The first `hexDigits` hex digits of the SHA-256 of `text` (UTF-8). */
export function sha256Hex(text: string, hexDigits: number): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, hexDigits)
}
