import { closeSync, constants, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { StateDir } from './state-dir.js';
import { syncDir } from './state-dir.js';

/** What goes to the collector: a batch of reports or of events, posted as one body. */
export interface SpoolItem {
  endpoint: '/api/v1/reports' | '/api/v1/events';
  body: unknown;
}

export interface SpooledItem extends SpoolItem {
  name: string;
}

const ITEM_NAME = /^(\d{12})\.json$/;

/**
 * Items waiting for the collector, one durable file each (written and fsynced before `put`
 * returns, so an acknowledged line is never lost to a crash), sent oldest first and deleted
 * only once the collector has answered. Bounded: past `maxItems` the oldest are dropped and
 * counted in `dropped` (kept in the state directory across restarts).
 */
export class Spool {
  private readonly dir: string;
  private next: number;
  private names: string[];
  dropped: number;

  constructor(
    private readonly state: StateDir,
    private readonly maxItems: number,
  ) {
    this.dir = state.subdir('spool');
    // A write the agent was killed in the middle of was never acknowledged: its temporary file goes.
    for (const n of readdirSync(this.dir)) if (n.endsWith('.tmp')) unlinkSync(join(this.dir, n));
    this.names = readdirSync(this.dir).filter((n) => ITEM_NAME.test(n)).sort();
    const last = this.names.at(-1);
    this.next = last ? Number(ITEM_NAME.exec(last)?.[1]) + 1 : 1;
    this.dropped = state.readJson<{ dropped?: number }>('spool-dropped.json', {}).dropped ?? 0;
  }

  get depth(): number {
    return this.names.length;
  }

  put(item: SpoolItem): void {
    const name = `${String(this.next++).padStart(12, '0')}.json`;
    this.state.writeDurable(name, JSON.stringify(item), 'spool');
    this.names.push(name);
    let drop = 0;
    while (this.names.length > this.maxItems) {
      this.remove(this.names[0] as string, false);
      drop++;
    }
    if (drop > 0) {
      this.dropped += drop;
      this.state.writeJson('spool-dropped.json', { dropped: this.dropped });
      syncDir(this.dir);
    }
  }

  /** The oldest item, or undefined; an unreadable file is dropped and counted. */
  peek(): SpooledItem | undefined {
    while (this.names.length > 0) {
      const name = this.names[0] as string;
      try {
        const fd = openSync(join(this.dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          const item = JSON.parse(readFileSync(fd, 'utf8')) as SpoolItem;
          return { ...item, name };
        } finally {
          closeSync(fd);
        }
      } catch {
        this.remove(name, true);
        this.dropped++;
      }
    }
    return undefined;
  }

  /** The collector has it: forget it durably. */
  ack(name: string): void {
    this.remove(name, true);
  }

  private remove(name: string, sync: boolean): void {
    this.names = this.names.filter((n) => n !== name);
    try {
      unlinkSync(join(this.dir, name));
    } catch {
      // Already gone.
    }
    if (sync) syncDir(this.dir);
  }
}
