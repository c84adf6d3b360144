import fs from 'node:fs';
import path from 'node:path';
import { makeDirs } from '../cache-dir.js';

/** Downloads above this size are abandoned (a kernel's debuginfo is ~600 MB). */
const MAX_DOWNLOAD_BYTES = 4 * 1024 ** 3;
const TIMEOUT_MS = 90_000;

/** The servers of `DEBUGINFOD_URLS` (space-separated, as elfutils reads it). */
export function debuginfodUrls(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['DEBUGINFOD_URLS'] ?? '').split(/\s+/).filter((u) => /^https?:\/\//.test(u));
}

/**
 * Fetches `/buildid/ID/debuginfo` from the first server that has it (the debuginfod protocol),
 * into `cacheDir/ID/debuginfo`, and returns that path; an earlier download is reused. Failures
 * (no server has it, network down) return undefined with the reasons in `notes`: symbolization
 * goes on without that file.
 */
export async function fetchDebuginfo(buildId: string, urls: readonly string[], cacheDir: string, notes: string[]): Promise<string | undefined> {
  if (!/^[0-9a-f]{4,128}$/.test(buildId)) return undefined;
  const target = path.join(cacheDir, buildId, 'debuginfo');
  if (fs.existsSync(target)) return target;
  for (const base of urls) {
    const url = `${base.replace(/\/+$/, '')}/buildid/${buildId}/debuginfo`;
    try {
      await download(url, target);
      return target;
    } catch (e) {
      notes.push(`debuginfod ${url}: ${(e as Error).message}`);
    }
  }
  return undefined;
}

/** node:http and node:https, loaded when a download starts: every symbolize run imports this file, few download. */
async function httpGet(url: string): Promise<typeof import('node:http').get> {
  return url.startsWith('https:') ? (await import('node:https')).get : (await import('node:http')).get;
}

async function download(url: string, target: string, redirects = 0): Promise<void> {
  const get = await httpGet(url);
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: TIMEOUT_MS }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects < 5) {
        res.resume();
        download(new URL(res.headers.location, url).toString(), target, redirects + 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`HTTP ${status}`));
        return;
      }
      try {
        makeDirs(path.dirname(target));
      } catch (e) {
        res.resume();
        reject(e);
        return;
      }
      const tmp = `${target}.${process.pid}.part`;
      const out = fs.createWriteStream(tmp);
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_DOWNLOAD_BYTES) req.destroy(new Error(`larger than ${MAX_DOWNLOAD_BYTES} bytes`));
      });
      res.pipe(out);
      const fail = (e: Error): void => {
        out.destroy();
        fs.rmSync(tmp, { force: true });
        reject(e);
      };
      res.on('error', fail);
      req.on('error', fail);
      out.on('error', fail);
      out.on('finish', () => {
        try {
          fs.renameSync(tmp, target);
          resolve();
        } catch (e) {
          fail(e as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
  });
}
