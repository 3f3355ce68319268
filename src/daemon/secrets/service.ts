// Secret bundles: create or replace, rotate, delete, list. Every change is validated whole
// before anything is written, then written in one transaction with its audit event.
import type {
  BoxedValue,
  CreateSecretInput,
  CreateSecretOutput,
  DeleteSecretOutput,
  RotateSecretInput,
  RotateSecretOutput,
  SecretInfo,
} from '../../api/contract.js'
import {HushError} from '../../api/errors.js'
import {checkAppScope, checkDescription, checkKey, checkSecretName, checkValue, nextVersion} from '../../api/limits.js'
import type {Sodium} from '../../crypto/sodium.js'
import {openBox, type TransportKeys} from '../../crypto/transport.js'
import type {CipherRow, SecretRow, Store} from '../store/secrets-table.js'
import type {DataKey} from '../vault/data-key.js'
import {applyKeyEdits, checkKeyEdits, hasKeyEdits, readKeyEdits} from './key-edits.js'

/** What the deployments side tells the secrets side about who uses a secret. */
export interface SecretUsage {
  /** Live (non-terminal) deployments that use the secret NAME of scope `app` (null = shared). */
  liveUsers(name: string, app: string | null): string[]
  /** The same for every secret at once, keyed by `scopeKey(name, app)` (one read for a whole list). */
  liveUsersByScope(): Map<string, string[]>
  /** Live deployments running a version of that secret older than `version`. */
  staleUsers(name: string, app: string | null, version: number): string[]
}

/** The key of one secret (a name in one scope) in `liveUsersByScope`. */
export function scopeKey(name: string, app: string | null): string {
  return `${app ?? ''}\u0000${name}`
}

/** How a scope reads in a message: `db` or `db (app api)`. */
export function scopeLabel(name: string, app: string | null): string {
  return app === null ? name : `${name} (app ${app})`
}

type Plain = Map<string, Uint8Array>

function now(): string {
  return new Date().toISOString()
}

export class SecretsService {
  constructor(
    private readonly store: Store,
    private readonly dataKey: DataKey,
    private readonly sodium: Sodium,
    private readonly transport: TransportKeys,
    private readonly usage: SecretUsage,
  ) {}

  /** `users`: the live users of every secret, when the caller read them once for many rows. */
  info(row: SecretRow, users?: Map<string, string[]>): SecretInfo {
    const info: SecretInfo = {
      name: row.name,
      app: row.app,
      keys: row.keys,
      description: row.description,
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      usedBy: row.deletedAt
        ? []
        : users
          ? (users.get(scopeKey(row.name, row.app)) ?? [])
          : this.usage.liveUsers(row.name, row.app),
    }
    if (row.deletedAt) info.deletedAt = row.deletedAt
    return info
  }

  /** `app`: only that app's scoped secrets; `null`: only shared ones; undefined: all. */
  list(includeDeleted: boolean, app?: string | null): SecretInfo[] {
    const scope = app === undefined || app === null ? app : checkAppScope(app)
    const users = this.usage.liveUsersByScope()
    return this.store
      .list(includeDeleted)
      .filter((row) => scope === undefined || row.app === scope)
      .map((row) => this.info(row, users))
  }

  async create(input: CreateSecretInput): Promise<CreateSecretOutput> {
    const name = checkSecretName(input.name)
    const app = checkAppScope(input.app)
    const description = input.description === undefined ? undefined : checkDescription(input.description)
    const plain = this.openValues(input.values, true)
    try {
      await this.dataKey.unlock()
      const at = now()
      const {row, replaced} = await this.store.commit(
        () => {
          const existing = this.store.findLive(name, app)
          const keys = [...plain.keys()].sort()
          const row: SecretRow = existing
            ? {
                ...existing,
                version: nextVersion(existing.version),
                keys,
                description: description ?? existing.description,
                updatedAt: at,
              }
            : this.store.insertSecret(name, app, description ?? '', keys, at)
          if (existing) this.store.updateSecret(row)
          this.store.replaceCiphertexts(row.id, this.encryptAll(row, plain))
          this.store.addAudit(
            {
              event: existing ? 'secret.replaced' : 'secret.created',
              secret: name,
              ...(app === null ? {} : {app}),
              keys,
              version: row.version,
              deployment: null,
            },
            at,
          )
          return {row, replaced: existing !== undefined}
        },
        {erase: (done) => done.replaced},
      )
      return {secret: this.info(row), replaced, staleDeployments: this.usage.staleUsers(name, app, row.version)}
    } finally {
      this.wipe(plain)
    }
  }

  async rotate(input: RotateSecretInput): Promise<RotateSecretOutput> {
    const name = checkSecretName(input.name)
    const app = checkAppScope(input.app)
    const description = input.description === undefined ? undefined : checkDescription(input.description)
    const edits = readKeyEdits(input.rename, input.remove)
    const given = this.openValues(input.values, description === undefined && !hasKeyEdits(edits))
    this.requireLive(name, app)
    await this.dataKey.unlock()
    let merged: Plain = new Map()
    try {
      const at = now()
      const {row, previousKeys} = await this.store.commit(
        () => {
          const current = this.requireLive(name, app)
          // Checked against the bundle as it is where it is written: nothing changes when one fails.
          checkKeyEdits(scopeLabel(name, app), current.keys, [...given.keys()], edits)
          for (const cipher of this.store.ciphertexts(current.id)) {
            merged.set(cipher.key, this.dataKey.decrypt(current, cipher))
          }
          // Renamed values move to their new key; every value is encrypted again below under the
          // new version, and the associated data binds each one to its (new) key name.
          merged = applyKeyEdits(merged, edits, (value) => this.dataKey.wipe(value))
          for (const [key, value] of given) {
            const replaced = merged.get(key)
            if (replaced) this.dataKey.wipe(replaced)
            merged.set(key, value)
          }
          const row: SecretRow = {
            ...current,
            version: nextVersion(current.version),
            keys: [...merged.keys()].sort(),
            description: description ?? current.description,
            updatedAt: at,
          }
          this.store.updateSecret(row)
          this.store.replaceCiphertexts(row.id, this.encryptAll(row, merged))
          const touched = new Set([...given.keys(), ...[...edits.rename].flat(), ...edits.remove])
          this.store.addAudit(
            {
              event: 'secret.rotated',
              secret: name,
              ...(app === null ? {} : {app}),
              keys: [...touched].sort(),
              version: row.version,
              deployment: null,
            },
            at,
          )
          return {row, previousKeys: current.keys}
        },
        {erase: true},
      )
      const givenKeys = [...given.keys()].sort()
      const renamedTo = new Set(edits.rename.values())
      return {
        secret: this.info(row),
        changedKeys: givenKeys.filter((key) => previousKeys.includes(key) || renamedTo.has(key)),
        addedKeys: givenKeys.filter((key) => !previousKeys.includes(key) && !renamedTo.has(key)),
        renamedKeys: [...edits.rename].map(([from, to]) => ({from, to})),
        removedKeys: [...edits.remove],
        staleDeployments: this.usage.staleUsers(name, app, row.version),
      }
    } finally {
      this.wipe(given)
      this.wipe(merged)
    }
  }

  /** The live secret NAME of that scope in full; with `includeDeleted` and none live, its latest deleted one. */
  show(nameInput: string, appInput: string | undefined, includeDeleted: boolean): SecretInfo {
    const name = checkSecretName(nameInput)
    const app = checkAppScope(appInput)
    const live = this.store.findLive(name, app)
    if (live) return this.info(live)
    const deleted = includeDeleted
      ? this.store
          .list(true)
          .filter((row) => row.name === name && row.app === app && row.deletedAt !== null)
          .at(-1)
      : undefined
    return this.info(deleted ?? this.requireLive(name, app))
  }

  async delete(nameInput: string, force: boolean, appInput?: string): Promise<DeleteSecretOutput> {
    const name = checkSecretName(nameInput)
    const app = checkAppScope(appInput)
    this.requireLive(name, app)
    // Checked again where it is written: another write of the same group may come first.
    const {row, users} = await this.store.commit(
      () => {
        const existing = this.requireLive(name, app)
        const users = this.usage.liveUsers(name, app)
        if (users.length > 0 && !force) {
          throw new HushError(
            'secret_in_use',
            `Secret ${scopeLabel(name, app)} is used by live deployment${users.length > 1 ? 's' : ''} ${users.join(', ')}: terminate ${users.length > 1 ? 'them' : 'it'} first, or pass --force.`,
            {deployments: users},
          )
        }
        const at = now()
        const row: SecretRow = {...existing, deletedAt: at, updatedAt: at}
        this.store.replaceCiphertexts(existing.id, [])
        this.store.updateSecret(row)
        this.store.addAudit(
          {
            event: 'secret.deleted',
            secret: name,
            ...(app === null ? {} : {app}),
            keys: row.keys,
            version: row.version,
            deployment: null,
          },
          at,
        )
        return {row, users}
      },
      {erase: true},
    )
    return {secret: this.info(row), forcedDeployments: users}
  }

  /** The live secret NAME of scope `app` (null = shared); the error names the scopes that do exist. */
  requireLive(name: string, app: string | null = null): SecretRow {
    const row = this.store.findLive(name, app)
    if (row) return row
    const scoped = this.store.scopesOf(name).filter((other) => other !== app)
    const shared = app !== null && this.store.findLive(name, null) !== undefined
    const others = [...(shared ? ['the shared one (no --app)'] : []), ...scoped.map((other) => `--app ${other}`)]
    const hint = others.length ? `there is ${name} for ${others.join(', ')}` : 'see `hush secrets list`'
    throw new HushError(
      'secret_not_found',
      `No ${app === null && others.length > 0 ? 'shared ' : ''}secret named ${scopeLabel(name, app)}: ${hint}.`,
      {
        secret: name,
        ...(app === null ? {} : {app}),
      },
    )
  }

  /** Opens and checks every boxed value before anything is stored. */
  private openValues(values: Record<string, BoxedValue> | undefined, required: boolean): Plain {
    if (values === undefined && !required) return new Map()
    if (values === undefined) throw new HushError('bad_request', '`values` must be an object of KEY: sealed value.')
    const entries = Object.entries(values)
    if (entries.length === 0 && required) {
      throw new HushError('empty_bundle', 'A secret needs at least one KEY=VALUE pair.')
    }
    const plain: Plain = new Map()
    try {
      for (const [key, boxed] of entries) {
        checkKey(key)
        const bytes = openBox(this.sodium, this.transport, boxed)
        if (!bytes) {
          throw new HushError(
            'unopenable_value',
            `The value of ${key} was not sealed to this agent's public key (the agent may have restarted): run the command again.`,
          )
        }
        plain.set(key, bytes)
        checkValue(key, bytes)
      }
    } catch (error) {
      this.wipe(plain)
      throw error
    }
    return plain
  }

  private encryptAll(row: SecretRow, plain: Plain): CipherRow[] {
    return [...plain].map(([key, value]) => this.dataKey.encrypt(row, key, value))
  }

  private wipe(plain: Plain): void {
    for (const value of plain.values()) this.dataKey.wipe(value)
    plain.clear()
  }
}
