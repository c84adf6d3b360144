/**
 * Turns a storm into one message with a count: the first hit of a key passes at once, the
 * rest within `windowMs` are counted, and when the window ends a single follow-up carries the
 * total. Keys are few (one per rule and device), and closed windows are forgotten.
 */
export class StormGate<T> {
  private readonly open = new Map<string, { count: number; passed: number; last: T; timer: NodeJS.Timeout }>();

  constructor(
    private readonly windowMs: number,
    private readonly pass: (key: string, item: T, count: number, first: boolean) => void,
  ) {}

  hit(key: string, item: T): void {
    const w = this.open.get(key);
    if (w) {
      w.count++;
      w.last = item;
      return;
    }
    const timer = setTimeout(() => this.close(key), this.windowMs);
    timer.unref();
    this.open.set(key, { count: 1, passed: 1, last: item, timer });
    this.pass(key, item, 1, true);
  }

  /** Ends every window now (at shutdown), passing the counts not yet told. */
  flushAll(): void {
    for (const key of [...this.open.keys()]) this.close(key);
  }

  private close(key: string): void {
    const w = this.open.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    this.open.delete(key);
    if (w.count > w.passed) this.pass(key, w.last, w.count, false);
  }
}
