// Encryption at rest: a fresh random nonce for every value, and nothing opens under another key,
// other associated data, or with a changed byte.
import {describe, expect, it} from 'vitest'
import {aeadDecrypt, aeadEncrypt} from '../../../src/crypto/aead.js'
import {loadSodium} from '../../../src/crypto/sodium.js'

describe('aead', async () => {
  const sodium = await loadSodium()
  const key = sodium.crypto_aead_xchacha20poly1305_ietf_keygen()
  const plain = new TextEncoder().encode('hf_0123456789')

  it('never repeats a nonce, and each ciphertext opens to the value', () => {
    const encrypted = Array.from({length: 1000}, () => aeadEncrypt(sodium, key, plain, 'store/hf/HF_TOKEN/1'))
    const nonces = new Set(encrypted.map((s) => Buffer.from(s.nonce).toString('hex')))
    expect(nonces.size).toBe(1000)
    expect(encrypted.every((s) => s.nonce.length === 24 && s.nonce.some((byte) => byte !== 0))).toBe(true)
    for (const s of encrypted.slice(0, 10)) expect(aeadDecrypt(sodium, key, s, 'store/hf/HF_TOKEN/1')).toEqual(plain)
  })

  it('opens nothing under another key, other associated data or a changed byte', () => {
    const encrypted = aeadEncrypt(sodium, key, plain, 'store/hf/HF_TOKEN/1')
    expect(
      aeadDecrypt(sodium, sodium.crypto_aead_xchacha20poly1305_ietf_keygen(), encrypted, 'store/hf/HF_TOKEN/1'),
    ).toBe(undefined)
    expect(aeadDecrypt(sodium, key, encrypted, 'store/hf/HF_TOKEN/2')).toBe(undefined)
    const nonce = Uint8Array.from(encrypted.nonce)
    nonce[0] ^= 1
    expect(aeadDecrypt(sodium, key, {...encrypted, nonce}, 'store/hf/HF_TOKEN/1')).toBe(undefined)
  })
})
