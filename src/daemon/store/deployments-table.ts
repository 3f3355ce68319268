// The deployments' records in the agent's SQLite store (connection.ts owns the connection): what was
// launched, with which secret versions, and the encrypted copies of the injected values that
// log redaction needs. Never a plaintext value.
import type {DeploymentState, DeploymentTarget, RunOptions} from '../../api/contract.js'
import type {SecretFileSpec} from '../../api/rules/secret-file-spec.js'
import type {SecretRef} from '../../api/rules/secret-ref.js'
import type {CipherRow, Store} from './secrets-table.js'

/** What one secret put in the container: its row id and version then, and the env keys it set. */
export interface InjectedSecret {
  name: string
  /** The scope NAME resolved to: the app-scoped secret, or null (also absent in older records) = shared. */
  app?: string | null
  secretId: number
  version: number
  keys: string[]
  /** `file`: mounted as files under /run/secrets (`keys` are the file names); else env. */
  mount?: 'file'
  /** A file secret's container directory when not /run/secrets (`--secret-file NAME,target=DIR`). */
  target?: string
}

export interface DeploymentRow {
  id: string
  name: string | null
  image: string
  command: string[]
  env: Record<string, string>
  refs: SecretRef[]
  /** `--secret-file` specs, parsed (api/rules/secret-file-spec.ts), in command-line order, one per name. */
  files: SecretFileSpec[]
  options: RunOptions
  /** The docker context of its engine (`submit --context`); null: the agent's own engine. */
  context: string | null
  /** A container (`local`) or a Docker Swarm service (`swarm`, `submit --swarm`). */
  target: DeploymentTarget
  /** The Swarm service's id once created (target swarm); null otherwise. */
  serviceId: string | null
  injected: InjectedSecret[]
  containerId: string | null
  state: DeploymentState
  exitCode: number | null
  revision: number
  createdAt: string
  updatedAt: string
}

interface RawDeployment {
  id: string
  name: string | null
  image: string
  command: string
  env: string
  refs: string
  files: string
  options: string
  context: string | null
  target: string | null
  service_id: string | null
  injected: string
  container_id: string | null
  state: DeploymentState
  exit_code: number | null
  revision: number
  created_at: string
  updated_at: string
}

function toRow(raw: RawDeployment): DeploymentRow {
  return {
    id: raw.id,
    name: raw.name,
    image: raw.image,
    command: JSON.parse(raw.command) as string[],
    env: JSON.parse(raw.env) as Record<string, string>,
    refs: JSON.parse(raw.refs) as SecretRef[],
    files: JSON.parse(raw.files) as SecretFileSpec[],
    options: JSON.parse(raw.options) as RunOptions,
    context: raw.context ?? null,
    target: raw.target === 'swarm' ? 'swarm' : 'local',
    serviceId: raw.service_id ?? null,
    injected: JSON.parse(raw.injected) as InjectedSecret[],
    containerId: raw.container_id,
    state: raw.state,
    exitCode: raw.exit_code,
    revision: raw.revision,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  }
}

export class DeploymentsStore {
  /** The tables are the store's (migrations.ts). */
  constructor(private readonly store: Store) {}

  get(id: string): DeploymentRow | undefined {
    const raw = this.store.statement('SELECT * FROM deployments WHERE id = ?').get(id) as RawDeployment | undefined
    return raw && toRow(raw)
  }

  list(): DeploymentRow[] {
    return (this.store.statement('SELECT * FROM deployments ORDER BY created_at, id').all() as RawDeployment[]).map(
      toRow,
    )
  }

  /** Deployments in a non-terminal state (starting, running). */
  live(): DeploymentRow[] {
    return (
      this.store
        .statement("SELECT * FROM deployments WHERE state IN ('starting', 'running') ORDER BY created_at, id")
        .all() as RawDeployment[]
    ).map(toRow)
  }

  /** True when some deployment is not terminated: only then can a container of the store exist. */
  anyUnterminated(): boolean {
    return this.store.statement("SELECT 1 FROM deployments WHERE state != 'terminated' LIMIT 1").get() !== undefined
  }

  /** Inserts or replaces the whole record. */
  save(row: DeploymentRow): void {
    this.store
      .statement(
        `INSERT INTO deployments (id, name, image, command, env, refs, files, options, context, target, service_id, injected, container_id, state, exit_code, revision, created_at, updated_at)
         VALUES (@id, @name, @image, @command, @env, @refs, @files, @options, @context, @target, @service_id, @injected, @container_id, @state, @exit_code, @revision, @created_at, @updated_at)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, image = excluded.image, command = excluded.command,
           env = excluded.env, refs = excluded.refs, files = excluded.files, options = excluded.options, context = excluded.context, target = excluded.target, service_id = excluded.service_id, injected = excluded.injected,
           container_id = excluded.container_id, state = excluded.state, exit_code = excluded.exit_code,
           revision = excluded.revision, updated_at = excluded.updated_at`,
      )
      .run({
        id: row.id,
        name: row.name,
        image: row.image,
        command: JSON.stringify(row.command),
        env: JSON.stringify(row.env),
        refs: JSON.stringify(row.refs),
        files: JSON.stringify(row.files),
        options: JSON.stringify(row.options),
        context: row.context,
        target: row.target,
        service_id: row.serviceId,
        injected: JSON.stringify(row.injected),
        container_id: row.containerId,
        state: row.state,
        exit_code: row.exitCode,
        revision: row.revision,
        created_at: row.createdAt,
        updated_at: row.updatedAt,
      })
  }

  setState(id: string, state: DeploymentState, exitCode: number | null, at: string): void {
    this.store
      .statement('UPDATE deployments SET state = ?, exit_code = ?, updated_at = ? WHERE id = ?')
      .run(state, exitCode, at, id)
  }

  /** A deployment whose container is gone without ending (it never started): failed, its copies dropped. */
  fail(id: string, exitCode: number | null, at: string): void {
    this.store.transaction(() => {
      this.setState(id, 'failed', exitCode, at)
      this.replaceValues(id, [])
    })
  }

  /**
   * Records, durably and before anything is stopped, that `terminate` was asked (with its grace):
   * a terminate cut short (the agent killed) is finished by the next state read.
   */
  markTerminating(id: string, graceSeconds: number): void {
    this.store.setMeta(terminatingKey(id), String(graceSeconds))
  }

  /** The grace of a terminate asked and not finished, or undefined. */
  terminating(id: string): number | undefined {
    const text = this.store.getMeta(terminatingKey(id))
    return text === undefined ? undefined : Number(String(text)) || 0
  }

  forgetTerminating(id: string): void {
    this.store.deleteMeta(terminatingKey(id))
  }

  remove(id: string): void {
    this.forgetPrevious(id)
    this.forgetTerminating(id)
    this.store.statement('DELETE FROM deployment_values WHERE deployment_id = ?').run(id)
    this.store.statement('DELETE FROM deployments WHERE id = ?').run(id)
  }

  /** The encrypted copies of the values injected into the deployment's container. */
  values(id: string): CipherRow[] {
    return this.store
      .statement('SELECT key, nonce, ciphertext FROM deployment_values WHERE deployment_id = ? ORDER BY key')
      .all(id) as CipherRow[]
  }

  replaceValues(id: string, rows: CipherRow[]): void {
    this.store.statement('DELETE FROM deployment_values WHERE deployment_id = ?').run(id)
    const insert = this.store.statement(
      'INSERT INTO deployment_values (deployment_id, key, nonce, ciphertext) VALUES (?, ?, ?, ?)',
    )
    for (const row of rows) insert.run(id, row.key, row.nonce, row.ciphertext)
  }

  /**
   * Keeps, while a Swarm resubmit is under way, the record and copies it replaces: if the agent
   * dies before the rolling update, reconciliation puts them back (the service still runs them).
   */
  keepPrevious(row: DeploymentRow, copies: CipherRow[]): void {
    const kept: KeptPrevious = {
      row,
      copies: copies.map((copy) => ({
        key: copy.key,
        nonce: Buffer.from(copy.nonce).toString('base64'),
        ciphertext: Buffer.from(copy.ciphertext).toString('base64'),
      })),
    }
    this.store.setMeta(previousKey(row.id), JSON.stringify(kept))
  }

  /** The record and copies a Swarm resubmit under way (or cut short) replaced, if any. */
  previous(id: string): {row: DeploymentRow; copies: CipherRow[]} | undefined {
    const text = this.store.getMeta(previousKey(id))
    if (text === undefined) return undefined
    const kept = JSON.parse(String(text)) as KeptPrevious
    return {
      row: kept.row,
      copies: kept.copies.map((copy) => ({
        key: copy.key,
        nonce: Buffer.from(copy.nonce, 'base64'),
        ciphertext: Buffer.from(copy.ciphertext, 'base64'),
      })),
    }
  }

  forgetPrevious(id: string): void {
    this.store.deleteMeta(previousKey(id))
  }
}

/** A kept previous record in the store's meta (copies still encrypted, base64). */
interface KeptPrevious {
  row: DeploymentRow
  copies: {key: string; nonce: string; ciphertext: string}[]
}

function terminatingKey(id: string): string {
  return `deployment_terminating:${id}`
}

function previousKey(id: string): string {
  return `deployment_previous:${id}`
}
