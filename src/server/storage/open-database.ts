import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KtError } from '../../errors.js';
import { migrate } from './migrations.js';
import { PostgresDatabase } from './postgres-database.js';
import type { SqlDatabase } from './sql-database.js';
import { SqliteDatabase } from './sqlite-database.js';

/** `postgres://…` / `postgresql://…` is PostgreSQL; anything else is a SQLite file path. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//.test(target);
}

/** Opens the database the collector was given and runs pending migrations. */
export async function openDatabase(target: string): Promise<SqlDatabase> {
  let db: SqlDatabase;
  try {
    if (isPostgresUrl(target)) db = await PostgresDatabase.open(target);
    else {
      if (target !== ':memory:') mkdirSync(dirname(target), { recursive: true });
      db = await SqliteDatabase.open(target);
    }
    await migrate(db);
  } catch (e) {
    if (e instanceof KtError) throw e;
    throw new KtError('KT_E_DATABASE', `cannot open database ${redactUrl(target)}: ${(e as Error).message}`);
  }
  return db;
}

/** A PostgreSQL URL without its password, for messages. */
export function redactUrl(target: string): string {
  return target.replace(/(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
