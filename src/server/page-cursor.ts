import { KtError } from '../errors.js';

/** `?limit=` and the opaque `cursor` of every list: an offset, base64url-wrapped. */
export interface Page {
  limit: number;
  offset: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export function readPage(query: URLSearchParams): Page {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new KtError('KT_E_BAD_REQUEST', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  const cursor = query.get('cursor');
  if (cursor === null || cursor === '') return { limit, offset: 0 };
  const m = /^o(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m) throw new KtError('KT_E_BAD_REQUEST', 'cursor is not one this server gave');
  return { limit, offset: Number(m[1]) };
}

/** The cursor of the page after this one, when the page was full. */
export function nextCursor(page: Page, got: number): string | undefined {
  return got > page.limit ? Buffer.from(`o${page.offset + page.limit}`, 'latin1').toString('base64url') : undefined;
}
