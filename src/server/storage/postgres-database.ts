import type pg from 'pg';
import type { Row, SqlDatabase, SqlValue } from './sql-database.js';

/** `?` placeholders as PostgreSQL's `$1, $2…` (the SQL never holds a literal `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Deadlock and serialization failures: the transaction is retried whole. */
const RETRYABLE = new Set(['40P01', '40001']);

class PgClientDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  constructor(private readonly client: pg.PoolClient | pg.Pool) {}

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const r = await this.client.query(numbered(sql), params as SqlValue[]);
    return r.rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const r = await this.client.query(numbered(sql), params as SqlValue[]);
    return { changes: r.rowCount ?? 0 };
  }

  transaction<T>(work: (tx: SqlDatabase) => Promise<T>): Promise<T> {
    return work(this);
  }

  async close(): Promise<void> {}
}

/** PostgreSQL through a `pg` pool; each transaction on its own client. */
export class PostgresDatabase extends PgClientDatabase {
  private readonly pool: pg.Pool;

  /** The driver comes in by dynamic import: npm packages stay outside the CLI's bundles. */
  static async open(url: string): Promise<PostgresDatabase> {
    const driver = (await import('pg')).default;
    // BIGINT counts come back as numbers: they never pass 2^53 here.
    driver.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new driver.Pool({ connectionString: url, max: 8 });
    pool.on('error', () => undefined);
    try {
      await pool.query('SELECT 1');
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return new PostgresDatabase(pool);
  }

  private constructor(pool: pg.Pool) {
    super(pool);
    this.pool = pool;
  }

  override async transaction<T>(work: (tx: SqlDatabase) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(new PgClientDatabase(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (e as { code?: string }).code;
        if (!(code && RETRYABLE.has(code) && attempt < 5)) throw e;
      } finally {
        client.release();
      }
    }
  }

  /** Several statements at once (migrations), under one advisory lock so concurrent collectors migrate once. */
  async withMigrationLock<T>(work: (db: SqlDatabase, script: (sql: string) => Promise<void>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7205310)');
      return await work(new PgClientDatabase(client), async (sql) => {
        await client.query(sql);
      });
    } finally {
      await client.query('SELECT pg_advisory_unlock(7205310)').catch(() => undefined);
      client.release();
    }
  }

  override async close(): Promise<void> {
    await this.pool.end();
  }
}
