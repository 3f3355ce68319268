// The store's schema, as an ordered list of migrations: SQLite's `user_version` says how many of
// them a store has had, and opening a store runs the rest, all in one transaction.
import {parseSecretFileSpec, type SecretFileSpec, secretFileName} from '../../api/rules/secret-file-spec.js'
import {type Database, pragmaValue, transaction} from '../process/sqlite.js'

export interface Migration {
  /** What it changes, in a few words (for a reader; not stored). */
  readonly description: string
  up(db: Database): void
}

/** Adds a column unless the table has it already (stores made before versioning may have it). */
function addColumn(db: Database, table: string, column: string, definition: string): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{name: string}>
  if (!columns.some((existing) => existing.name === column)) {
    db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`)
  }
}

/**
 * Every schema change, oldest first; a store at `user_version` N has had the first N. Add a new
 * change as one more entry at the end, never edit one that shipped. The first five describe the
 * schema hush grew before it kept a version: a store made then reads `user_version` 0 with any
 * prefix of them already applied, so they check before they add.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    description: 'meta, secrets with their values, audit; deployments with their value copies',
    up(db) {
      db.exec(`
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
  keys TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE TABLE IF NOT EXISTS secret_values (
  secret_id INTEGER NOT NULL REFERENCES secrets(id),
  key TEXT NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  PRIMARY KEY (secret_id, key)
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  event TEXT NOT NULL,
  secret TEXT,
  keys TEXT NOT NULL DEFAULT '[]',
  version INTEGER,
  deployment TEXT
);
CREATE TABLE IF NOT EXISTS deployments (
  id TEXT PRIMARY KEY,
  name TEXT,
  image TEXT NOT NULL,
  command TEXT NOT NULL,
  env TEXT NOT NULL,
  refs TEXT NOT NULL,
  options TEXT NOT NULL,
  injected TEXT NOT NULL,
  container_id TEXT,
  state TEXT NOT NULL,
  exit_code INTEGER,
  revision INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deployment_values (
  deployment_id TEXT NOT NULL REFERENCES deployments(id),
  key TEXT NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  PRIMARY KEY (deployment_id, key)
);`)
    },
  },
  {
    description: 'app scope: secrets.app and audit.app; a live name is unique per (name, app)',
    up(db) {
      addColumn(db, 'secrets', 'app', 'TEXT')
      addColumn(db, 'audit', 'app', 'TEXT')
      db.exec(`DROP INDEX IF EXISTS secrets_live_name;
CREATE UNIQUE INDEX IF NOT EXISTS secrets_live_name_app ON secrets(name, IFNULL(app, '')) WHERE deleted_at IS NULL;`)
    },
  },
  {
    description: '--secret-file: deployments.files (older deployments had none)',
    up(db) {
      addColumn(db, 'deployments', 'files', "TEXT NOT NULL DEFAULT '[]'")
    },
  },
  {
    description: 'key rotation: audit.counts',
    up(db) {
      addColumn(db, 'audit', 'counts', 'TEXT')
    },
  },
  {
    description: "--context: deployments.context (null: the agent's own engine, where older deployments ran)",
    up(db) {
      addColumn(db, 'deployments', 'context', 'TEXT')
    },
  },
  {
    description: '--swarm: deployments.target (older deployments are local containers) and service_id',
    up(db) {
      addColumn(db, 'deployments', 'target', "TEXT NOT NULL DEFAULT 'local'")
      addColumn(db, 'deployments', 'service_id', 'TEXT')
    },
  },
  {
    description:
      '--secret-file specs stored parsed: deployments.files (and kept previous records) hold objects, not texts',
    up(db) {
      const rows = db.prepare('SELECT id, files FROM deployments').all() as Array<{id: string; files: string}>
      const update = db.prepare('UPDATE deployments SET files = ? WHERE id = ?')
      for (const row of rows) update.run(JSON.stringify(parsedFiles(JSON.parse(row.files))), row.id)
      const kept = db.prepare("SELECT k, v FROM meta WHERE k LIKE 'deployment_previous:%'").all() as Array<{
        k: string
        v: Uint8Array | string
      }>
      const keep = db.prepare('UPDATE meta SET v = ? WHERE k = ?')
      for (const {k, v} of kept) {
        const previous = JSON.parse(typeof v === 'string' ? v : Buffer.from(v).toString()) as {row: {files?: unknown[]}}
        previous.row.files = parsedFiles(previous.row.files ?? [])
        keep.run(JSON.stringify(previous), k)
      }
    },
  },
]

/**
 * The specs of a record's `--secret-file` texts (`NAME[,uid=..]...`; the oldest hold the bare
 * name). The agent checked each when it was recorded; one that today's rules refuse keeps its name.
 */
function parsedFiles(files: unknown[]): SecretFileSpec[] {
  return files.map((text) => {
    if (typeof text !== 'string') return text as SecretFileSpec
    try {
      return parseSecretFileSpec(text)
    } catch {
      return {name: secretFileName(text)}
    }
  })
}

/** The schema version this code writes: every migration applied. */
export const SCHEMA_VERSION = MIGRATIONS.length

/**
 * Brings the store to SCHEMA_VERSION in one transaction (a crash leaves it as it was). A store
 * of a newer schema, made by a later hush, is refused unchanged.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  transaction(db, () => {
    const current = Number(pragmaValue(db, 'user_version'))
    if (current > migrations.length) {
      throw new Error(
        `This store has schema version ${current}, newer than this hush knows (${migrations.length}): it was opened by a later hush, so upgrade hush to open it.`,
      )
    }
    if (current === migrations.length) return
    for (const migration of migrations.slice(current)) migration.up(db)
    db.exec(`PRAGMA user_version = ${migrations.length}`)
  })
}
