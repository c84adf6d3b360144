/**
 * The one query interface the collector uses. SQL is written once, with `?` placeholders and
 * the subset both dialects share; each dialect adapter (sqlite-database.ts, postgres-database.ts)
 * runs it, as Kysely's dialect adapters do.
 */
export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export type DialectName = 'sqlite' | 'postgres';

export interface SqlDatabase {
  readonly dialect: DialectName;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; `changes` is the number of rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs `work` in one transaction, committed (durably) before the promise resolves. */
  transaction<T>(work: (tx: SqlDatabase) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQL spelled differently by the two dialects. */
export function greatest(db: SqlDatabase, a: string, b: string): string {
  return db.dialect === 'sqlite' ? `max(${a}, ${b})` : `GREATEST(${a}, ${b})`;
}

export function least(db: SqlDatabase, a: string, b: string): string {
  return db.dialect === 'sqlite' ? `min(${a}, ${b})` : `LEAST(${a}, ${b})`;
}

/** `?, ?, ?` for n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

export async function first<T extends Row = Row>(db: SqlDatabase, sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
  const rows = await db.all<T>(sql, params);
  return rows[0];
}
