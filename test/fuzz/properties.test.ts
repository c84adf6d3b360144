/** Properties over generated inputs (fast-check), beside the mutation fuzzing of real ones. */
import { gzipSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorLine } from '../../src/cli/error-line.js';
import { KtError, ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { gunzipChunks } from '../../src/logs/decompress.js';
import { openedLog } from '../../src/logs/read-log.js';
import { INPUT_FORMATS, type LogLine } from '../../src/logs/log-line.js';
import type { ConcreteFormat } from '../../src/logs/sniff-format.js';

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

async function readAll(bytes: Buffer, format: ConcreteFormat): Promise<LogLine[]> {
  const log = openedLog('prop', format, 'none', once(bytes), {});
  const out: LogLine[] = [];
  for await (const batch of log.batches) out.push(...batch);
  return out;
}

const FORMATS = INPUT_FORMATS.filter((f): f is ConcreteFormat => f !== 'auto');
const RUNS = { numRuns: 150, seed: 15 };

describe('properties', () => {
  it('every reader returns or throws a KtError on any bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.constantFrom(...FORMATS), async (raw, format) => {
        try {
          await readAll(Buffer.from(raw), format);
        } catch (e) {
          expect(e).toBeInstanceOf(KtError);
        }
      }),
      RUNS,
    );
  });

  it('console: plain text lines come back as they were, one LogLine each', async () => {
    const plainLine = fc.stringMatching(/^[a-zA-Z0-9 :,.()_=-]{1,80}$/).filter((s) => s.trim() !== '' && !s.startsWith(' '));
    await fc.assert(
      fc.asyncProperty(fc.array(plainLine, { minLength: 1, maxLength: 50 }), async (lines) => {
        const read = await readAll(Buffer.from(`${lines.join('\n')}\n`), 'console');
        expect(read.map((l) => l.text)).toEqual(lines);
      }),
      RUNS,
    );
  });

  it('gzip: a stream that decodes as complete is exactly what zlib decodes; anything else is partial or an error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 2000 }), fc.nat(), fc.nat(), async (text, cutAt, flipAt) => {
        const whole = gzipSync(Buffer.from(text));
        const damaged = Buffer.from(whole.subarray(0, whole.length - (cutAt % 4 === 0 ? cutAt % whole.length : 0)));
        const flip = flipAt % Math.max(1, damaged.length);
        if (flipAt % 3 === 0 && damaged.length > 0) damaged[flip] = (damaged[flip] ?? 0) ^ 0x10;
        const end: { partial?: string } = {};
        const chunks: Buffer[] = [];
        try {
          for await (const c of gunzipChunks(once(damaged), end, 'prop.gz')) chunks.push(c);
        } catch (e) {
          expect((e as KtError).code).toBe('KT_E_BAD_COMPRESSION');
          return;
        }
        if (end.partial === undefined) expect(Buffer.concat(chunks).equals(gunzipSync(damaged))).toBe(true);
      }),
      RUNS,
    );
  });

  it('an error is always one line ending in its code, whatever its message quotes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), fc.constantFrom(...(Object.keys(ERROR_CODES) as ErrorCode[])), (message, code) => {
        const line = errorLine(new KtError(code, message), 'analyze');
        expect(line).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
        expect(line.endsWith(`[${code}]`)).toBe(true);
        expect(line.startsWith('ktriage: ')).toBe(true);
      }),
      RUNS,
    );
  });
});
