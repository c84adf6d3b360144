import type { IncomingMessage } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { Decompress } from 'fzstd';
import { ApiError } from './api-error.js';

export interface BodyLimits {
  /** Bytes on the wire. */
  maxBodyBytes: number;
  /** Bytes after Content-Encoding is undone: a decompression bomb stops here. */
  maxDecodedBytes: number;
}

/** The request body, whole, refused past the limit without reading the rest into memory. */
export function readRawBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
    return Promise.reject(new ApiError('KT_E_TOO_LARGE', `request body of ${declared} bytes is over the ${limits.maxBodyBytes}-byte limit`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limits.maxBodyBytes) {
        done = true;
        req.pause();
        reject(new ApiError('KT_E_TOO_LARGE', `request body is over the ${limits.maxBodyBytes}-byte limit`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks, size));
      done = true;
    });
    req.on('error', (e) => {
      if (!done) reject(new ApiError('KT_E_BAD_REQUEST', `request body could not be read: ${e.message}`));
      done = true;
    });
    req.on('close', () => {
      if (!done) reject(new ApiError('KT_E_BAD_REQUEST', 'client closed the connection before the body ended'));
      done = true;
    });
  });
}

const ZSTD_SLICE = 16 << 10;

function unzstd(body: Buffer, max: number): Buffer {
  const out: Uint8Array[] = [];
  let size = 0;
  const d = new Decompress((chunk) => {
    size += chunk.length;
    if (size > max) throw new ApiError('KT_E_TOO_LARGE', `zstd body decompresses to more than ${max} bytes; refused`);
    out.push(chunk);
  });
  for (let i = 0; i < body.length; i += ZSTD_SLICE) d.push(body.subarray(i, i + ZSTD_SLICE), i + ZSTD_SLICE >= body.length);
  return Buffer.concat(out, size);
}

/** Undoes Content-Encoding (identity, gzip, deflate, zstd), never past the decoded limit. */
export function decodeBody(body: Buffer, encoding: string | undefined, limits: BodyLimits): Buffer {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  try {
    switch (enc) {
      case '':
      case 'identity':
        return body;
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(body, { maxOutputLength: limits.maxDecodedBytes });
      case 'deflate':
        return inflateSync(body, { maxOutputLength: limits.maxDecodedBytes });
      case 'zstd':
        return unzstd(body, limits.maxDecodedBytes);
      default:
        throw new ApiError('KT_E_BAD_ENCODING', `Content-Encoding '${enc.slice(0, 40)}' is not one of gzip, zstd, deflate, identity`);
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const err = e as { code?: string; message?: string };
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || /too large|maxOutputLength|Cannot create a Buffer larger/i.test(err.message ?? ''))
      throw new ApiError('KT_E_TOO_LARGE', `${enc} body decompresses to more than ${limits.maxDecodedBytes} bytes; refused`);
    throw new ApiError('KT_E_BAD_ENCODING', `${enc} body does not decompress: ${(err.message ?? String(e)).slice(0, 120)}`);
  }
}

/** A JSON body, parsed; anything else is a 400 that names the problem. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new ApiError('KT_E_BAD_REQUEST', `body is not valid JSON: ${(e as Error).message.slice(0, 120)}`);
  }
}
