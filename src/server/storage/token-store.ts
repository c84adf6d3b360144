import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { first, type SqlDatabase } from './sql-database.js';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface TokenInfo {
  id: string;
  scope: Scope;
  name: string;
  createdAt: string;
  revokedAt?: string;
}

/** Tokens are `kt_<id>_<secret>`; only the SHA-256 of the whole token is stored. */
const TOKEN_SHAPE = /^kt_([a-z0-9]{8})_([A-Za-z0-9_-]{32,64})$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createToken(db: SqlDatabase, scope: Scope, name: string, now = Date.now()): Promise<{ token: string; info: TokenInfo }> {
  const id = randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 8);
  const token = `kt_${id}_${randomBytes(32).toString('base64url')}`;
  const createdAt = new Date(now).toISOString();
  await db.transaction((tx) => tx.run('INSERT INTO tokens (id, hash, scope, name, created_at) VALUES (?, ?, ?, ?, ?)', [id, hashToken(token), scope, name, createdAt]));
  return { token, info: { id, scope, name, createdAt } };
}

export async function listTokens(db: SqlDatabase): Promise<TokenInfo[]> {
  const rows = await db.all<{ id: string; scope: string; name: string; created_at: string; revoked_at: string | null }>('SELECT id, scope, name, created_at, revoked_at FROM tokens ORDER BY created_at, id');
  return rows.map((r) => {
    const t: TokenInfo = { id: r.id, scope: r.scope as Scope, name: r.name, createdAt: r.created_at };
    if (r.revoked_at) t.revokedAt = r.revoked_at;
    return t;
  });
}

/** Revokes by id (or by the whole token); false when there is no such live token. */
export async function revokeToken(db: SqlDatabase, idOrToken: string, now = Date.now()): Promise<boolean> {
  const id = TOKEN_SHAPE.exec(idOrToken)?.[1] ?? idOrToken;
  const { changes } = await db.transaction((tx) => tx.run('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [new Date(now).toISOString(), id]));
  if (changes > 0) await db.transaction((tx) => tx.run('DELETE FROM sessions WHERE token_id = ?', [id]));
  return changes > 0;
}

/**
 * The live token a bearer string names, or undefined. Looked up by its id part, then the hashes
 * compared in constant time, so the answer's timing does not tell how much of a secret matched.
 */
export async function verifyToken(db: SqlDatabase, presented: string): Promise<TokenInfo | undefined> {
  const m = TOKEN_SHAPE.exec(presented);
  const row = m ? await first<{ id: string; hash: string; scope: string; name: string; created_at: string; revoked_at: string | null }>(db, 'SELECT * FROM tokens WHERE id = ?', [m[1]!]) : undefined;
  const want = Buffer.from(row?.hash ?? '0'.repeat(64), 'hex');
  const got = Buffer.from(hashToken(presented), 'hex');
  const same = timingSafeEqual(want, got);
  if (!row || !same || row.revoked_at) return undefined;
  return { id: row.id, scope: row.scope as Scope, name: row.name, createdAt: row.created_at };
}

const SESSION_TTL_MS = 12 * 3_600_000;

export async function createSession(db: SqlDatabase, token: TokenInfo, now = Date.now()): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  await db.transaction((tx) =>
    tx.run('INSERT INTO sessions (hash, token_id, scope, expires_at) VALUES (?, ?, ?, ?)', [hashToken(secret), token.id, token.scope, new Date(now + SESSION_TTL_MS).toISOString()]),
  );
  return secret;
}

export async function verifySession(db: SqlDatabase, secret: string, now = Date.now()): Promise<TokenInfo | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  const row = await first<{ token_id: string; scope: string; expires_at: string }>(db, 'SELECT token_id, scope, expires_at FROM sessions WHERE hash = ?', [hashToken(secret)]);
  if (!row || row.expires_at < new Date(now).toISOString()) return undefined;
  const tok = await first<{ name: string; created_at: string; revoked_at: string | null }>(db, 'SELECT name, created_at, revoked_at FROM tokens WHERE id = ?', [row.token_id]);
  if (!tok || tok.revoked_at) return undefined;
  return { id: row.token_id, scope: row.scope as Scope, name: tok.name, createdAt: tok.created_at };
}

export async function deleteSession(db: SqlDatabase, secret: string): Promise<void> {
  await db.transaction((tx) => tx.run('DELETE FROM sessions WHERE hash = ?', [hashToken(secret)]));
}

/** What a scope may do: admin everything, read GETs, ingest the ingest POSTs. */
export function scopeAllows(have: Scope, need: Scope): boolean {
  return have === 'admin' || have === need;
}
