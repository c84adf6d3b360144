import { fileURLToPath } from 'node:url';
import type { InputFormat, LogLine } from '../../src/logs/log-line.js';
import { openLog, type OpenedLog } from '../../src/logs/read-log.js';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/logs/${name}`, import.meta.url));
}

export async function readAll(path: string, format?: InputFormat): Promise<{ log: OpenedLog; lines: LogLine[] }> {
  const log = await openLog(format ? { path, format } : { path });
  const lines: LogLine[] = [];
  for await (const batch of log.batches) lines.push(...batch);
  return { log, lines };
}

/** The LogLines read from physical line `n` (several when a line was split). */
export function atLine(lines: LogLine[], n: number): LogLine[] {
  return lines.filter((l) => l.origin.line === n);
}
