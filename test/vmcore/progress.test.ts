/** The progress bar stays silent for dumps read within a second and erases itself when done. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { terminalProgress } from '../../src/vmcore/progress.js';

function fakeStream() {
  const written: string[] = [];
  return { written, stream: { write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
}

describe('terminalProgress', () => {
  afterEach(() => vi.useRealTimers());

  it('shows nothing in the first second', () => {
    vi.useFakeTimers();
    const { written, stream } = fakeStream();
    const p = terminalProgress(stream);
    p.sink('indexing flattened dump', 10, 100);
    vi.advanceTimersByTime(900);
    p.sink('indexing flattened dump', 90, 100);
    p.done();
    expect(written).toEqual([]);
  });

  it('draws a bar after a second, then erases it', () => {
    vi.useFakeTimers();
    const { written, stream } = fakeStream();
    const p = terminalProgress(stream);
    vi.advanceTimersByTime(1500);
    p.sink('indexing flattened dump', 50, 100);
    p.done();
    expect(written[0]).toBe(`\rindexing flattened dump [${'#'.repeat(15)}${'.'.repeat(15)}]  50%`);
    expect(written[1]).toBe('\r\u001b[K');
  });
});
