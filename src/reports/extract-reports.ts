import type { LogLine } from '../logs/log-line.js';
import type { LogWindow } from '../logs/log-stream.js';
import type { RawReportSink } from './collect-reports.js';
import { rebootKey } from './dedupe-reports.js';
import { matchPrecursor } from './precursors.js';
import { CONTEXT_LINES, ReportSegmenter, type RawReport } from './segmenter.js';
import { prefixedScreen, shippedTriggerFilters } from './window-filter.js';
import type { PrefixedFormat } from './prefixed-screen.js';

/** Formats whose lines start with the console's `[ ts]` prefix: blocks of them can be skimmed. */
const SKIMMABLE_FORMATS: ReadonlySet<string> = new Set(['console', 'vmcore-dmesg']);
/** Line formats with a prefix of their own before the message: their blocks are skimmed by regex. */
const PREFIXED_FORMATS: ReadonlySet<string> = new Set<PrefixedFormat>(['journal-short', 'syslog', 'kmsg']);
/** A printk timestamp after boot's first instant: the kernel was running. */
const KERNEL_UP_TIMESTAMP = /\[ *(?!0\.0+\])\d+\.\d{6}\]/;

/**
 * KERNEL_UP_TIMESTAMP in bytes [start, end) of plain ASCII text: usually its first line says so,
 * and only that much is decoded (a match there is a match in the whole: the pattern ends in its
 * own `]`).
 */
function kernelWasUp(bytes: Buffer, start: number, end: number): boolean {
  const head = Math.min(end, start + HEAD_BYTES);
  return KERNEL_UP_TIMESTAMP.test(bytes.toString('latin1', start, head)) || (head < end && KERNEL_UP_TIMESTAMP.test(bytes.toString('latin1', start, end)));
}
const HEAD_BYTES = 256;
const LF = 10;

/** Start of the line holding byte `at`. */
function lineStart(bytes: Buffer, at: number): number {
  // (Buffer's lastIndexOf reads a negative offset from the end.)
  return at === 0 ? 0 : bytes.lastIndexOf(LF, at - 1) + 1;
}

/** Lines read at a time while a report is open. */
const READ_STEP_LINES = 64;

/** The byte after the `n`-th LF from `at` (the end when there are fewer). */
function afterLines(bytes: Buffer, at: number, n: number): number {
  for (let k = 0; k < n; k++) {
    const lf = bytes.indexOf(LF, at);
    if (lf < 0) return bytes.length;
    at = lf + 1;
  }
  return at;
}

/** Start of the `n` lines before the line starting at `start`, not before `floor` (a line start). */
function linesBefore(bytes: Buffer, start: number, n: number, floor: number): number {
  for (let k = 0; k < n && start > floor; k++) start = start < 2 ? 0 : bytes.lastIndexOf(LF, start - 2) + 1;
  return Math.max(start, floor);
}

/** What the extractor says at the end, besides what it sent its sink. */
export interface LineFindings {
  /** Precursor events beyond MAX_PRECURSORS, counted but not kept. */
  precursorsDropped?: number;
}

/**
 * Formats that show the kernel's last words before a reset, so a boot that follows silence is
 * news. Journals and syslog lose the end of every boot (the daemon stops first).
 */
const FORMATS_THAT_SEE_RESETS: ReadonlySet<string> = new Set(['console']);

/** Keeps a flood of disk errors from growing memory without bound; the first ones matter most. */
export const MAX_PRECURSORS = 10_000;
/** Unexpected reboots remembered to drop repeats (a console of many boots repeats the same last words). */
const MAX_REMEMBERED_REBOOTS = 10_000;

/**
 * Feeds lines of any number of inputs through one segmenter per stream (input and host),
 * so interleaved hosts of a syslog file never mix, and sends each report to `sink` as it
 * closes (a ReportCollector decodes it here; a worker thread's client sends it there).
 */
export interface ExtractorOptions {
  /**
   * The clock a live source is read on (ms): each stream remembers when its last line came, for
   * `closeIdle`. Unset for files, whose reports close by their text.
   */
  clock?: () => number;
  /** Precursor events handed on at most (the rest counted); a live analyzer hands on every one. */
  maxPrecursors?: number;
}

export class ReportExtractor {
  constructor(
    private readonly sink: RawReportSink,
    private readonly options: ExtractorOptions = {},
  ) {}

  /** When each stream's last line came (live sources only). */
  private readonly lastLineAt = new Map<ReportSegmenter, number>();

  /** Input name → host → segmenter. */
  private readonly segmenters = new Map<string, Map<string, ReportSegmenter>>();
  private keptPrecursors = 0;
  private droppedPrecursors = 0;
  private arrival = 0;
  private readonly formatOf = new Map<string, string>();

  /** Inputs whose kernel was seen up in text passed over before their first line was read. */
  private readonly upBeforeFirstLine = new Set<string>();
  /** Unexpected reboots handed on, by host and lines (see emit). */
  private readonly rebootsEmitted = new Set<string>();
  /** Windows passed over unread (benchmarks read it). */
  windowsSkipped = 0;
  private readonly filters = shippedTriggerFilters();

  /**
   * Reads a block of an input's lines, or passes over what cannot matter: when the input is a
   * console log and no report of it is open, lines that cannot start anything are passed over
   * unread. The block's undecoded bytes (the byte filter) tell where the first line that may start
   * something is: the lines before it are passed over (but the last few, which the segmenter
   * keeps as context), it is read, and while no report is open the rest is scanned again. Lines
   * with control or non-ASCII bytes are read too: only their LogLines tell what they hold. Without
   * the byte filter, the block's text is tested as a whole (the window filter). Most of a multi-GB log
   * is ordinary boot and runtime noise, and building its lines costs most.
   */
  pushWindow(window: LogWindow, source: string): void {
    const format = this.formatOf.get(source) ?? '';
    if (PREFIXED_FORMATS.has(format)) return this.pushPrefixedWindow(window, source, format as PrefixedFormat);
    if (!this.filters.window || !SKIMMABLE_FORMATS.has(format)) return this.pushAll(window.lines());
    const bytes = window.bytes;
    const byteFilter = this.filters.bytes;
    if (!bytes || !byteFilter?.load(bytes)) return this.pushWindowByText(window, source);
    let from = 0;
    while (from < bytes.length) {
      if (this.hasOpenReport(source)) {
        // A few lines at a time, so that the lines after the report's end are scanned, not read.
        const end = afterLines(bytes, from, READ_STEP_LINES);
        this.pushAll(window.linesIn(from, end));
        from = end;
        continue;
      }
      const scan = byteFilter.scan(from);
      if (scan.lineFeeds !== undefined) {
        if (from > 0) {
          // Part of the block was read: its last lines are read too, so that what the segmenter
          // holds at the block's end is what reading the whole block leaves (a report starting at
          // the top of the next block looks back at them).
          const tail = linesBefore(bytes, bytes.length, CONTEXT_LINES, from);
          if (tail > from) this.passOver(source, () => kernelWasUp(bytes, from, tail));
          return this.pushAll(window.linesIn(tail, bytes.length));
        }
        window.lineFeeds = scan.lineFeeds;
        this.windowsSkipped++;
        return this.passOver(source, () => kernelWasUp(bytes, 0, bytes.length));
      }
      // Read that line (then scan again after it), with the lines before it that the segmenter
      // looks back at.
      const next = afterLines(bytes, scan.mayStartFrom, 1);
      const readFrom = linesBefore(bytes, lineStart(bytes, scan.mayStartFrom), CONTEXT_LINES, from);
      if (readFrom > from) this.passOver(source, () => kernelWasUp(bytes, from, readFrom));
      this.pushAll(window.linesIn(readFrom, next));
      from = next;
    }
  }

  /**
   * A block of a journal, syslog or kmsg file: passed over when its raw bytes show no message
   * that can start anything (prefixedScreen), else read. (Their readers do not see resets:
   * skipped text need not say whether the kernel was up.)
   */
  private pushPrefixedWindow(window: LogWindow, source: string, format: PrefixedFormat): void {
    const screen = prefixedScreen(format);
    const bytes = window.bytes;
    if (screen && bytes && !window.opaque && !this.hasOpenReport(source) && !screen.mayHold(bytes)) {
      this.windowsSkipped++;
      return this.passOver(source, () => false);
    }
    this.pushAll(window.lines());
  }

  /** The whole block's text tested by regex: passed over, or read. */
  private pushWindowByText(window: LogWindow, source: string): void {
    if (!this.hasOpenReport(source) && !window.opaque && !this.filters.window?.mayHold(window.text)) {
      this.windowsSkipped++;
      return this.passOver(source, () => KERNEL_UP_TIMESTAMP.test(window.text));
    }
    this.pushAll(window.lines());
  }

  private pushAll(lines: LogLine[]): void {
    for (const line of lines) this.push(line);
  }

  /**
   * Lines passed over unread. Whether they show the kernel running (a regex over their text) is
   * asked only when some stream of the input does not know it yet: most blocks of a long log
   * come after the boot's first timestamp.
   */
  private passOver(source: string, kernelWasUp: () => boolean): void {
    const segmenters = this.segmenters.get(source);
    let known = this.upBeforeFirstLine.has(source);
    for (const segmenter of segmenters?.values() ?? []) known &&= segmenter.kernelKnownUp;
    const up = !known && kernelWasUp();
    if (up) this.upBeforeFirstLine.add(source);
    for (const segmenter of segmenters?.values() ?? []) segmenter.skipped(up);
  }

  private hasOpenReport(source: string): boolean {
    for (const segmenter of this.segmenters.get(source)?.values() ?? []) if (segmenter.hasOpenReport) return true;
    return false;
  }

  /** Says what format an input is before its lines come, for rules that depend on it. */
  beginInput(source: string, format: string): void {
    this.formatOf.set(source, format);
  }

  push(line: LogLine): void {
    this.arrival++;
    // One stream per input and host; the segmenter itself sees boots change.
    let byHost = this.segmenters.get(line.origin.source);
    if (!byHost) {
      byHost = new Map();
      this.segmenters.set(line.origin.source, byHost);
    }
    const host = line.host ?? '';
    let segmenter = byHost.get(host);
    if (!segmenter) {
      const detectUnexpectedReboot = FORMATS_THAT_SEE_RESETS.has(this.formatOf.get(line.origin.source) ?? '');
      const created: ReportSegmenter = new ReportSegmenter((raw) => this.emit(raw, created), { detectUnexpectedReboot });
      segmenter = created;
      if (this.upBeforeFirstLine.has(line.origin.source)) segmenter.skipped(true);
      byHost.set(host, segmenter);
    }
    segmenter.push(line, this.arrival);
    if (this.options.clock) this.lastLineAt.set(segmenter, this.options.clock());
    const precursor = matchPrecursor(line);
    if (precursor) {
      if (this.keptPrecursors < (this.options.maxPrecursors ?? MAX_PRECURSORS)) {
        this.keptPrecursors++;
        this.sink.precursor(precursor);
      } else this.droppedPrecursors++;
    }
  }

  /**
   * Hands a closed report on, unless it is an unexpected reboot whose host and lines repeat one
   * handed on before: the deduper would drop it as a copy once decoded, and a console of many
   * boots holds tens of thousands per GiB.
   */
  private emit(raw: RawReport, from: ReportSegmenter): void {
    const endedAt = this.lastLineAt.get(from);
    if (endedAt !== undefined) raw.endedAt = endedAt;
    if (raw.kind === 'unexpected-reboot') {
      const key = rebootKey(raw.header.host, raw.lines);
      if (this.rebootsEmitted.has(key)) return;
      if (this.rebootsEmitted.size >= MAX_REMEMBERED_REBOOTS) this.rebootsEmitted.delete(this.rebootsEmitted.values().next().value as string);
      this.rebootsEmitted.add(key);
    }
    this.sink.take(raw, this.floor());
  }

  /**
   * Closes the reports of streams whose last line came `quiet` or more before `now` (live
   * sources), and returns the lowest order a report still to come can have.
   */
  closeIdle(now: number, quiet: number): number {
    for (const [segmenter, at] of this.lastLineAt) {
      if (now - at < quiet) continue;
      segmenter.closeQuiet();
      this.lastLineAt.delete(segmenter);
    }
    return this.floor(this.arrival + 1);
  }

  /**
   * The lowest order a report still to come can have: that of the earliest open report, else the
   * line being read's (it may open one), or `after` between lines.
   */
  private floor(after = this.arrival): number {
    let floor = after;
    for (const byHost of this.segmenters.values()) {
      for (const segmenter of byHost.values()) floor = Math.min(floor, segmenter.openOrder ?? floor);
    }
    return floor;
  }

  /** Closes the reports still open (they go to the sink) and says what else was found. */
  finish(): LineFindings {
    for (const byHost of this.segmenters.values()) for (const segmenter of byHost.values()) segmenter.finish();
    const findings: LineFindings = {};
    if (this.droppedPrecursors > 0) findings.precursorsDropped = this.droppedPrecursors;
    return findings;
  }
}
