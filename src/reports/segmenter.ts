import type { LogLine } from '../logs/log-line.js';
import type { ReportKind } from './crash-report.js';
import { matchHeader } from './header-matcher.js';
import { UNEXPECTED_REBOOT_ROW, type KindRow } from './kinds.js';
import { anyOf } from './any-of.js';
import { ownText } from './own-text.js';
import { BOOT_BANNER, CLEAN_SHUTDOWN, END_OF_TRACE, looksLikeFrame, looksLikeReportBody, REPORT_PRELUDE } from './report-body.js';

/** A report cut out of the log, before its fields are decoded. */
export interface RawReport {
  row: KindRow;
  kind: ReportKind;
  /** The header line (absorbed headers are in `lines`). */
  header: LogLine;
  lines: LogLine[];
  hasStack: boolean;
  /** Arrival number of the header among all lines fed to the extractor: orders reports across streams. */
  order: number;
  /** The kind of the report whose header ended this one (`next-report`). */
  endedBy?: ReportKind;
  /** When its last line came (ms, a live source's clock); unset for files. */
  endedAt?: number;
  /** `quiet`: a live stream went quiet for the analyzer's quiet period with the report open. */
  endReason: 'end-marker' | 'next-report' | 'unrelated-lines' | 'too-long' | 'new-boot' | 'end-of-input' | 'quiet';
}

/** How many lines in a row that are not report-shaped end a report (more for free-text reports). */
const MAX_UNRELATED_RUN = 6;
const MAX_UNRELATED_RUN_FREEFORM = 40;
/** `Call Trace:` and its spellings: the frames it announces are still to come. */
const TRACE_HEADING = /^\s*(?:Call Trace:|Call trace:|Backtrace:)\s*$/;
const isBootBanner = anyOf([BOOT_BANNER]);
const isCleanShutdown = anyOf([CLEAN_SHUTDOWN]);

/** Lines of the previous boot kept to show how an unexpected reboot was preceded. */
const REBOOT_CONTEXT_LINES = 5;
/**
 * How many lines before a line the segmenter looks back at (the reboot context; the line before
 * a header, for a prelude): a reader that passes over lines reads this many before the next one
 * that may start something, and the segmenter then holds what it would after reading them all.
 */
export const CONTEXT_LINES = Math.max(REBOOT_CONTEXT_LINES, 1);
/** Keeps memory flat whatever a report looks like. */
export const MAX_REPORT_LINES = 2000;

interface OpenReport {
  raw: RawReport;
  unrelatedRun: number;
  /** A trace heading was printed and no frame yet: other output may cut in before the frames. */
  awaitingFrames: boolean;
  /** Index in raw.lines after the last line known to belong to the report. */
  keep: number;
}

/**
 * Streaming report finder for one stream of lines (one host, one boot). Feed it lines in
 * order; it calls `emit` with each report once the report is complete. Holds at most one
 * report's lines.
 */
export interface SegmenterOptions {
  /**
   * Report a new boot that follows kernel output with no panic and no orderly shutdown. Only
   * sound for console captures: journals and syslog never see the kernel's last words.
   */
  detectUnexpectedReboot?: boolean;
}

export class ReportSegmenter {
  private open: OpenReport | undefined;
  private previous: LogLine | undefined;
  private boot: string | undefined;
  /** Last lines of the current boot, and whether it ended in a way that explains a reboot. */
  private bootTail: LogLine[] = [];
  private bootTailNext = 0;
  /** The kernel printed a timestamp after boot: it was up, not still in firmware or the boot loader. */
  private bootRan = false;
  private bootEndExplained = false;

  constructor(
    private readonly emit: (report: RawReport) => void,
    private readonly options: SegmenterOptions = {},
  ) {}

  push(line: LogLine, order = 0): void {
    const text = line.text;
    const banner = isBootBanner.test(text);
    if (banner || (line.boot !== undefined && line.boot !== this.boot && this.boot !== undefined)) this.newBoot(line, order);
    this.boot = line.boot;
    if (!banner && this.options.detectUnexpectedReboot) this.trackBootEnd(line);
    const header = matchHeader(text);
    const open = this.open;
    const row = open && header?.orphan ? undefined : header;
    if (open) {
      if (row && this.absorbs(open.raw, row)) {
        this.add(open, line, true);
        if (row.refines) open.raw.kind = row.kind;
        if (open.raw.row.intro) Object.assign(open.raw, { row, kind: row.kind, header: open.raw.lines[open.raw.lines.length - 1] });
        this.previous = line;
        return;
      }
      if (row) this.close('next-report', row);
      else {
        this.continueReport(open, line);
        this.previous = line;
        return;
      }
    }
    if (row) this.start(row, line, order);
    this.previous = line;
  }

  get hasOpenReport(): boolean {
    return this.open !== undefined;
  }

  /**
   * Lines were passed over unread: they hold nothing that starts a report or a boot. What the
   * reboot rule needs of them is whether the kernel was up (printed a non-zero timestamp).
   */
  skipped(kernelWasUp: boolean): void {
    if (kernelWasUp) this.bootRan = true;
    this.bootTail = [];
    this.bootTailNext = 0;
    this.previous = undefined;
  }

  /** The order of the report still open, if any: no report this segmenter emits later comes before it. */
  get openOrder(): number | undefined {
    return this.open?.raw.order;
  }

  /** This boot's kernel was seen running: whether skipped text shows it too no longer matters. */
  get kernelKnownUp(): boolean {
    return this.bootRan;
  }

  /** The stream went quiet: the open report is complete as it stands (more lines start afresh). */
  closeQuiet(): void {
    this.close('quiet');
  }

  /** Input ended: emit what is open. */
  finish(): void {
    if (this.open) this.close('end-of-input');
    this.previous = undefined;
  }

  private newBoot(line: LogLine, order: number): void {
    if (this.open) this.close('new-boot');
    if (this.options.detectUnexpectedReboot && this.bootRan && !this.bootEndExplained) {
      const n = this.bootTailNext;
      const tail = n <= REBOOT_CONTEXT_LINES ? this.bootTail.slice(0, n) : [...this.bootTail.slice(n % REBOOT_CONTEXT_LINES), ...this.bootTail.slice(0, n % REBOOT_CONTEXT_LINES)];
      const lines = [...tail, line].map(own);
      this.emit({ row: UNEXPECTED_REBOOT_ROW, kind: UNEXPECTED_REBOOT_ROW.kind, header: lines[lines.length - 1] ?? line, lines, hasStack: false, order, endReason: 'end-marker' });
    }
    this.bootTail = [];
    this.bootTailNext = 0;
    this.bootRan = false;
    this.bootEndExplained = false;
    this.previous = undefined;
  }

  private trackBootEnd(line: LogLine): void {
    if (line.ts !== undefined && line.ts > 0) this.bootRan = true;
    if (isCleanShutdown.test(line.text)) this.bootEndExplained = true;
    // A ring of the last lines: cheaper per line than push-and-shift.
    this.bootTail[this.bootTailNext++ % REBOOT_CONTEXT_LINES] = line;
  }

  private start(row: KindRow, line: LogLine, order: number): void {
    const lines: LogLine[] = [];
    const prev = this.previous;
    if (prev && REPORT_PRELUDE.test(prev.text)) lines.push(own(prev));
    line = own(line);
    lines.push(line);
    this.open = {
      raw: { row, kind: row.kind, header: line, lines, hasStack: false, order, endReason: 'end-of-input' },
      unrelatedRun: 0,
      awaitingFrames: false,
      keep: lines.length,
    };
  }

  private absorbs(report: RawReport, row: KindRow): boolean {
    if (report.hasStack) return false;
    const absorbed = report.row.absorbs;
    if (absorbed?.includes(row.kind)) return true;
    // A report whose header was printed after a more specific one (list corruption after BUG).
    return row.refines === true && row.absorbs?.includes(report.kind) === true;
  }

  private continueReport(open: OpenReport, line: LogLine): void {
    const raw = open.raw;
    if (isOtherTask(raw.header, line)) return; // interleaved output of another task
    if (isUserOutput(raw.header, line)) return; // a program's own output on the same console
    const text = line.text;
    const row = raw.row;
    if (row.stopBefore?.test(text)) return this.close('end-marker');
    const ends = row.end ? row.end.test(text) : END_OF_TRACE.test(text);
    const related = ends || row.freeform || looksLikeReportBody(text);
    if (looksLikeFrame(text)) {
      raw.hasStack = true;
      open.awaitingFrames = TRACE_HEADING.test(text);
    }
    if (related && !row.freeform) this.add(open, line, true);
    else this.add(open, line, looksLikeReportBody(text));
    if (ends) return this.close('end-marker');
    const limit = row.freeform || open.awaitingFrames ? MAX_UNRELATED_RUN_FREEFORM : MAX_UNRELATED_RUN;
    if (open.unrelatedRun >= limit) return this.close('unrelated-lines');
    if (raw.lines.length >= MAX_REPORT_LINES) this.close('too-long');
  }

  private add(open: OpenReport, line: LogLine, related: boolean): void {
    open.raw.lines.push(own(line));
    if (related) {
      open.unrelatedRun = 0;
      open.keep = open.raw.lines.length;
    } else open.unrelatedRun++;
  }

  private close(reason: RawReport['endReason'], next?: KindRow): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    const raw = open.raw;
    raw.endReason = reason;
    if (next) raw.endedBy = next.kind;
    // Trailing lines that never turned out to be part of the report are not its own. Free-text
    // reports own every line up to their end, unless a long unrelated run is what ended them.
    const trimTail = raw.row.freeform ? reason === 'unrelated-lines' : reason !== 'end-marker';
    if (trimTail) raw.lines.length = open.keep;
    if (raw.row.weak && !raw.hasStack) return;
    // An oops takes the machine down too when panic_on_oops is set or kdump is armed.
    if (raw.row.severity === 'fatal' || raw.row.severity === 'oops') this.bootEndExplained = true;
    this.emit(raw);
  }
}

/** A line kept in a report, its text no longer a slice of the block it was read from. */
function own(line: LogLine): LogLine {
  return { ...line, text: ownText(line.text) };
}

/**
 * True for a line without the kernel's timestamp inside a report whose header has one: printed
 * to the console by a program (a fuzzer's log, a login prompt), not by the kernel.
 */
function isUserOutput(header: LogLine, line: LogLine): boolean {
  return header.ts !== undefined && line.ts === undefined && line.text.trim() !== '';
}

/** True when both lines carry task caller ids (`T123`) and they differ. */
function isOtherTask(header: LogLine, line: LogLine): boolean {
  const a = header.caller;
  const b = line.caller;
  return a !== undefined && b !== undefined && a !== b && a[0] === 'T' && b[0] === 'T';
}
