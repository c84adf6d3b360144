import type { LogLine } from '../logs/log-line.js';
import type { ConcreteFormat } from '../logs/sniff-format.js';
import { ConsoleFormat } from '../logs/formats/console-format.js';
import { DmesgHumanFormat } from '../logs/formats/dmesg-human-format.js';
import { JournalJsonFormat } from '../logs/formats/journal-json-format.js';
import { JournalShortFormat } from '../logs/formats/journal-short-format.js';
import { KmsgFormat } from '../logs/formats/kmsg-format.js';
import { SyslogFormat } from '../logs/formats/syslog-format.js';
import { VmcoreDmesgFormat } from '../logs/formats/vmcore-dmesg-format.js';
import type { TextFormat } from '../logs/formats/text-format.js';

const LINE_FORMATS: Record<Exclude<ConcreteFormat, 'journal-export'>, (source: string) => TextFormat> = {
  console: (s) => new ConsoleFormat(s),
  'dmesg-human': (s) => new DmesgHumanFormat(s),
  'journal-short': (s) => new JournalShortFormat(s),
  'journal-json': (s) => new JournalJsonFormat(s),
  syslog: (s) => new SyslogFormat(s),
  kmsg: (s) => new KmsgFormat(s),
  'vmcore-dmesg': (s) => new VmcoreDmesgFormat(s),
};

/** A parser of one live line-based stream: the same format classes `analyze` reads files with, one line at a time. */
export function lineParser(format: Exclude<ConcreteFormat, 'journal-export'>, source: string): (text: string, lineNo: number, truncated: boolean) => LogLine[] {
  const f = LINE_FORMATS[format](source);
  return (text, lineNo, truncated) => {
    const out: LogLine[] = [];
    f.out = out;
    f.line(text, 0, text.length, lineNo, truncated, undefined);
    return out;
  };
}
