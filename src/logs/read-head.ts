/**
 * Reads the first `size` bytes of a stream (fewer if it ends sooner) and hands back a stream
 * that replays them before the rest: sniffing without losing anything.
 */
export async function readHead(
  chunks: AsyncIterable<Buffer>,
  size: number,
): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const it = chunks[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < size) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    first.push(r.value);
    have += r.value.length;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* first;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const head = first.length === 1 ? (first[0] as Buffer) : Buffer.concat(first);
  return { head: head.subarray(0, size), chunks: replay() };
}
