import type Database from 'better-sqlite3';
import type { Row, SqlDatabase, SqlValue } from './sql-database.js';

/**
 * SQLite through better-sqlite3 (synchronous). WAL with synchronous=FULL: a committed
 * transaction is on disk before the reply that acknowledges it. Transactions are queued one
 * at a time, since every caller shares one connection.
 */
/** Most transactions committed by one COMMIT. */
const MAX_GROUP = 64;

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly statements = new Map<string, Database.Statement>();

  /** The driver comes in by dynamic import: npm packages stay outside the CLI's bundles (native code). */
  static async open(path: string): Promise<SqliteDatabase> {
    const driver = (await import('better-sqlite3')).default;
    return new SqliteDatabase(new driver(path));
  }

  private constructor(db: Database.Database) {
    this.db = db;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s;
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const s = this.statement(sql);
    return (s.reader ? s.all(...params) : (s.run(...params), [])) as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const r = this.statement(sql).run(...params);
    return { changes: r.changes };
  }

  /**
   * Transactions queue on the one connection; those queued together commit together (group
   * commit: one fsync for many requests), each inside its own savepoint so one that fails
   * rolls back alone. Every promise resolves only after the COMMIT is on disk.
   */
  transaction<T>(work: (tx: SqlDatabase) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work: work as (tx: SqlDatabase) => Promise<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (this.waiting.length === 1) this.queue = this.queue.then(() => this.commitGroup());
    });
  }

  private waiting: { work: (tx: SqlDatabase) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];

  private async commitGroup(): Promise<void> {
    const group = this.waiting.splice(0, MAX_GROUP);
    if (this.waiting.length > 0) this.queue = this.queue.then(() => this.commitGroup());
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const item of group) {
        this.db.exec('SAVEPOINT one');
        try {
          const value = await item.work(this);
          this.db.exec('RELEASE one');
          outcomes.push({ ok: true, value });
        } catch (error) {
          this.db.exec('ROLLBACK TO one');
          this.db.exec('RELEASE one');
          outcomes.push({ ok: false, error });
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }

  /** Several statements at once (migrations). */
  execScript(sql: string): void {
    this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
