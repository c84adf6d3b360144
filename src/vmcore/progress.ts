/** Told how far a long step has got: `done` of `total` units of the step named `stage`. */
export type ProgressSink = (stage: string, done: number, total: number) => void;

const SHOW_AFTER_MS = 1000;
const REDRAW_MS = 100;

/**
 * A one-line progress bar on a terminal, shown only once a dump has taken more than a second
 * (nearly every dump is read in milliseconds); `done()` erases it. Writes are synchronous on a
 * TTY, so it works from inside the synchronous readers.
 */
export function terminalProgress(stream: NodeJS.WriteStream): { sink: ProgressSink; done(): void } {
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    sink(stage, done, total) {
      const now = Date.now();
      if (now - started < SHOW_AFTER_MS || now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
      stream.write(`\r${stage} [${bar}] ${(share * 100).toFixed(0).padStart(3)}%`);
    },
    done() {
      if (shown) stream.write('\r\u001b[K');
    },
  };
}
