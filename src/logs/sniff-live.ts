import { sniffFormat, SNIFF_BYTES, type ConcreteFormat } from './sniff-format.js';

/** How long a live stream is given to show more of itself before its format is decided. */
const SETTLE_MS = 200;

/**
 * The format of a live stream, from what it shows first: at least one whole line, and whatever
 * else comes within a moment (up to SNIFF_BYTES); waits no longer, since a quiet stream may say
 * nothing more for hours. Hands back a stream that replays what was looked at.
 */
export async function sniffLive(chunks: AsyncIterable<Buffer>, source: string): Promise<{ format: ConcreteFormat; chunks: AsyncIterable<Buffer> }> {
  const it = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let have = 0;
  let pending: Promise<IteratorResult<Buffer>> | undefined;
  let done = false;
  const hasLine = () => seen.some((b) => b.includes(0x0a));
  while (!done && have < SNIFF_BYTES) {
    pending ??= it.next();
    const next = hasLine() ? await Promise.race([pending, delay(SETTLE_MS)]) : await pending;
    if (next === undefined) break; // quiet for a moment: decide on what is there
    pending = undefined;
    if (next.done) done = true;
    else {
      seen.push(next.value);
      have += next.value.length;
    }
  }
  const head = Buffer.concat(seen).subarray(0, SNIFF_BYTES);
  const format = sniffFormat(head, source);
  async function* replay(): AsyncGenerator<Buffer> {
    yield* seen;
    if (done) return;
    if (pending) {
      const r = await pending;
      if (r.done) return;
      yield r.value;
    }
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { format, chunks: replay() };
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
