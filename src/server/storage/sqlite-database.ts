import type Database from 'better-sqlite3';
import type { Row, SqlDatabase, SqlValue } from './sql-database.js';

/**
 * SQLite through better-sqlite3 (synchronous). WAL with synchronous=FULL: a committed
 * transaction is on disk before the reply that acknowledges it. Transactions are queued one
 * at a time, since every caller shares one connection.
 */
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

  transaction<T>(work: (tx: SqlDatabase) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this);
        this.db.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
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
