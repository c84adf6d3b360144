import { JournalExportFormat } from '../logs/formats/journal-export-format.js';
import type { LogLine } from '../logs/log-line.js';
import { textFormat } from '../logs/log-stream.js';
import type { ConcreteFormat } from '../logs/sniff-format.js';
import { LineScanner, MAX_LINE_BYTES, TextWindow } from '../logs/split-lines.js';

/**
 * A parser for a live stream of one format (a netconsole or syslog sender, a followed file):
 * each raw line in (without its LF), the LogLines it completes out. Line-based formats keep
 * their state across calls (continuation lines, the current boot); journal export records
 * are complete at their blank line. A line longer than MAX_LINE_BYTES keeps its head only.
 */
export function lineReader(format: ConcreteFormat, source: string): (rawLine: string | Buffer) => LogLine[] {
  if (format === 'journal-export') {
    const parser = new JournalExportFormat(source);
    return (rawLine) => {
      const out: LogLine[] = [];
      parser.push(Buffer.concat([toBytes(rawLine), LF]), out);
      return out;
    };
  }
  const parser = textFormat(format, source);
  const scanner = new LineScanner();
  return (rawLine) => {
    let bytes = toBytes(rawLine);
    const cut = bytes.length > MAX_LINE_BYTES;
    if (cut) bytes = bytes.subarray(0, MAX_LINE_BYTES);
    // One line each call: an LF inside would start another, which the caller has not given.
    if (bytes.includes(0x0a)) {
      bytes = Buffer.from(bytes);
      for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) bytes[at] = 0x20;
    }
    const out: LogLine[] = [];
    parser.resume();
    parser.out = out;
    scanner.scan(new TextWindow(bytes, cut), parser);
    return out;
  };
}

const LF = Buffer.from('\n');

function toBytes(line: string | Buffer): Buffer {
  return typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
}
