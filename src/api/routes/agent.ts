// The agent itself: hello (who answers, its public key), shutdown, the store's keying (init,
// unseal, seal) and the status routes doctor and `daemon status` read. All answer while sealed.
import * as v from 'valibot'
import {boxed, flag, type InputOf, NoInput, optionalText, route} from './route.js'

export const PROTOCOL = 1

export interface Hello {
  name: 'hush'
  version: string
  protocol: number
  pid: number
  /** The agent's X25519 public key (base64): the CLI boxes every value to it. */
  publicKey: string
  home: string
  socket: string
  keyring: KeyringMode
  /** The OS keyring entry holding this store's master key (service `hush`), once the store has one. */
  keyringAccount: string | null
  sealed: boolean
  /** Passphrase mode: how this agent got or keeps its key in the kernel keyring (unlock cache). */
  unlockCache: UnlockCacheState
  startedAt: string
  /**
   * A digest of the agent's docker environment (config/docker.ts `dockerEnvironmentTag`): a CLI
   * with the same one reaches the same engine, so `submit` need not compare the two.
   */
  dockerEnvironment: string
}

export type KeyringMode = 'os' | 'passphrase'

/**
 * The unlock cache of a passphrase store (the master key in the Linux kernel keyring):
 * `present` (until `expiresAt`, null = until reboot), `absent`, `invalid` (an entry that does not
 * open this store: ignored, left in place, reported), `unavailable` (no keyctl, or forbidden),
 * `off` (the preference or `--ttl off`), `none` (OS keyring mode: not used).
 */
export interface UnlockCacheState {
  state: 'present' | 'absent' | 'invalid' | 'unavailable' | 'off' | 'none'
  expiresAt: string | null
  /** Why the entry was ignored or the kernel keyring could not be used. */
  problem: string | null
  /** Which kernel keyring holds the entry: `persistent` outlives logout, `user` ends with the user's last process. */
  keyring?: 'persistent' | 'user'
}

/** GET /v1/store: what `doctor` shows of the store (it answers while sealed: names only). */
export interface StoreStatus {
  storeId: string
  /** SQLite's user_version of the store file. */
  schemaVersion: number
  secrets: number
  deployments: number
}

/** GET /v1/engine: the agent's own docker engine (no --context), as its environment reaches it. */
export interface EngineStatus {
  /** The docker context ('default': the agent's DOCKER_HOST, else the local socket); '' when unreadable. */
  context: string
  /** Its endpoint (`unix:///var/run/docker.sock`, `tcp://...`); '' when unreadable. */
  host: string
  tls: boolean
  /** With `reach`: the Docker Engine version when it answers, else null. */
  server: string | null
  /** Why the engine cannot be read (or, with `reach`, does not answer); null when all is well. */
  problem: string | null
}

/** GET /v1/keyring: where the master key comes from, checked now (daemon status, doctor). */
export interface KeyringStatus {
  keyring: KeyringMode
  sealed: boolean
  /** OS keyring mode: does the Secret Service answer now? */
  osKeyring: {reachable: boolean; reason: string | null} | null
  unlockCache: UnlockCacheState
}

const InitInput = v.strictObject({
  keyring: v.picklist(['os', 'passphrase'] as const satisfies readonly KeyringMode[]),
  /** Passphrase mode: the new passphrase, boxed to the agent's public key like a value. */
  passphrase: v.optional(boxed),
  /** How long the kernel keyring keeps the unlocked key: a duration (`12h`), `boot` or `off` (see api/rules/ttl.ts). */
  ttl: optionalText,
})
export type InitInput = InputOf<typeof InitInput>

export interface InitOutput {
  keyring: KeyringMode
  /** `created`: a new data key; `rewrapped`: the data key kept, wrapped by a new master key; `unchanged`. */
  action: 'created' | 'rewrapped' | 'unchanged'
  sealed: boolean
  /** Passphrase mode: the unlock cache after the call. */
  unlockCache?: UnlockCacheState
}

const UnsealInput = v.strictObject({
  /** The passphrase, boxed to the agent's public key (crypto_box_seal), never plaintext. */
  passphrase: boxed,
  /** How long the kernel keyring keeps the unlocked key (see api/rules/ttl.ts); absent: the preference. */
  ttl: optionalText,
})
export type UnsealInput = InputOf<typeof UnsealInput>

export interface SealState {
  sealed: boolean
  /** False when the store already was in the requested state. */
  changed: boolean
  /** The unlock cache after the call (unseal: written or why not; seal: removed). */
  unlockCache?: UnlockCacheState
}

/** `reach`: also ask the engine for its version (doctor, daemon status). */
const EngineStatusInput = v.strictObject({reach: flag})
type EngineStatusInput = InputOf<typeof EngineStatusInput>

export const agentRoutes = {
  hello: route<NoInput, Hello>('GET', '/v1/hello', NoInput, {whileSealed: true}),
  shutdown: route<NoInput, {stopping: true}>('POST', '/v1/shutdown', NoInput, {whileSealed: true}),
  init: route<InitInput, InitOutput>('POST', '/v1/init', InitInput, {whileSealed: true}),
  unseal: route<UnsealInput, SealState>('POST', '/v1/unseal', UnsealInput, {whileSealed: true}),
  seal: route<NoInput, SealState>('POST', '/v1/seal', NoInput, {whileSealed: true}),
  keyringStatus: route<NoInput, KeyringStatus>('GET', '/v1/keyring', NoInput, {whileSealed: true}),
  storeStatus: route<NoInput, StoreStatus>('GET', '/v1/store', NoInput, {whileSealed: true}),
  engineStatus: route<EngineStatusInput, EngineStatus>('GET', '/v1/engine', EngineStatusInput, {whileSealed: true}),
} as const
