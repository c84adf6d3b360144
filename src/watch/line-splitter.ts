const LF = 10;

/**
 * Cuts a byte stream into lines, bounded: a line longer than `maxLine` keeps its head (passed
 * on marked truncated) and the rest up to the next LF is dropped and counted, so a megabyte
 * line or binary junk without newlines never grows memory.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private dropping = false;
  oversized = 0;

  constructor(
    private readonly maxLine: number,
    private readonly onLine: (line: Buffer, truncated: boolean) => void,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (this.dropping) {
        if (nl >= 0) this.dropping = false;
      } else {
        const room = this.maxLine - this.partBytes;
        if (end - pos > room) {
          this.parts.push(chunk.subarray(pos, pos + room));
          this.emit(true);
          this.oversized++;
          this.dropping = nl < 0;
        } else {
          this.parts.push(Buffer.from(chunk.subarray(pos, end)));
          this.partBytes += end - pos;
          if (nl >= 0) this.emit(false);
        }
      }
      if (nl < 0) break;
      pos = nl + 1;
    }
  }

  /** Bytes of an unfinished last line (a file truncated mid-line, a writer that died). */
  get pending(): number {
    return this.partBytes;
  }

  reset(): void {
    this.parts = [];
    this.partBytes = 0;
    this.dropping = false;
  }

  private emit(truncated: boolean): void {
    const line = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.partBytes = 0;
    this.onLine(line, truncated);
  }
}
