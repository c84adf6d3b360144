import { KtError, type ErrorCode } from '../../errors.js';

/** The HTTP status each collector error answers with. */
export const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  KT_E_BAD_REQUEST: 400,
  KT_E_BAD_FORMAT: 400,
  KT_E_BINARY_INPUT: 400,
  KT_E_BAD_COMPRESSION: 415,
  KT_E_UNAUTHORIZED: 401,
  KT_E_FORBIDDEN: 403,
  KT_E_NOT_FOUND: 404,
  KT_E_TIMEOUT: 408,
  KT_E_TOO_LARGE: 413,
  KT_E_BAD_ENCODING: 415,
  KT_E_RATE_LIMITED: 429,
};

/** A refusal with its HTTP status; `retryAfter` (seconds) for 429. */
export class ApiError extends KtError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(code, message);
  }
}

export function statusOf(e: KtError): number {
  return HTTP_STATUS[e.code] ?? 500;
}

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
