import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { KnownIssueRule } from '../analysis/known-issues.js';
import { KtError, type ErrorCode } from '../errors.js';
import { toWire, type RawReportSink, type WireRawReport } from '../reports/collect-reports.js';
import type { PrecursorEvent } from '../reports/crash-report.js';
import type { LineFindings } from '../reports/extract-reports.js';
import type { RawReport } from '../reports/segmenter.js';
import type { AnalyzeOptions } from './parse-args.js';
import type { InputSummaries } from '../pipeline/report-analysis.js';

/** The calls of a RawReportSink, as data. */
export type SinkCall = { type: 'report'; report: WireRawReport; floor: number } | { type: 'precursor'; event: PrecursorEvent };
/**
 * Messages to the worker (analyze-worker.ts): the sink's calls made while the reader went
 * through one block of the log, together in one message; then the end.
 */
export type ToWorker = { type: 'calls'; calls: SinkCall[] } | { type: 'finish'; findings: LineFindings; inputs: InputSummaries };
/** Messages from it, in order on one port: output as it is written, then how it ended. */
export type FromWorker =
  | { type: 'output'; bytes: Uint8Array }
  | { type: 'done'; reportCount: number }
  | { type: 'failed'; error: { message: string; code?: ErrorCode; stack?: string } };

export interface WorkerData {
  options: AnalyzeOptions;
  knownIssues: readonly KnownIssueRule[];
  /**
   * Element 0: lines of the reports the worker has taken (wrapping at 2^31). Shared memory rather
   * than messages, so the reader sees it without returning to the event loop (it reads files
   * synchronously).
   */
  taken: Int32Array;
  /** Where the worker sends FromWorker messages; the reader takes them between blocks, without the event loop. */
  out: MessagePort;
  /** A descriptor the worker writes its output to itself (see WorkerOutput); else output goes through `out`. */
  outputFd?: number;
}

/**
 * Where the worker's output goes: to `write` on this thread, or straight into `fd`, which the
 * worker then writes itself. Only for a descriptor where a write never waits nor stops short (a
 * regular file, /dev/null): it spares the reader, the busier thread, taking and writing the
 * output (~40 ms per GiB of log with --json).
 */
export type WorkerOutput = { write: (output: string | Uint8Array) => void } | { fd: number };

/**
 * Lines of reports handed over and not yet decoded, at most: when the reader finds reports
 * faster than the worker decodes them, it waits rather than queue them without bound (a few
 * MB). Counted in lines, not reports: 64 reports, the first bound, were outrun while the worker
 * started and warmed up, and the reader waited 0.1–0.3 s of a 1.8 s run.
 */
const MAX_BACKLOG_LINES = 50_000;
/**
 * The worker's young generation, at most. V8 grows it (to 32 MiB of semi-spaces, plus large
 * strings) the longer a run allocates: peak memory then grew with the log although the worker
 * holds little (1 GiB: 145 MiB against 110 MiB for 0.25 GiB; with this, 127 against 110).
 */
const WORKER_YOUNG_GENERATION_MB = 24;
/** How long the reader sleeps while the worker catches up (it also wakes when a report is taken). */
const CATCH_UP_POLL_MS = 20;

/**
 * The worker's file: the CommonJS bundle (scripts/build-bundles.mjs) beside a built CLI, else the
 * compiled module; none when running from sources (the caller then decodes on its own thread).
 */
function workerFile(): string | undefined {
  for (const relative of ['../bundles/cli/analyze-worker.cjs', './analyze-worker.js']) {
    const file = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(file)) return file;
  }
  return undefined;
}

/**
 * The decoding end of `ktriage analyze` on a second thread: the reader cuts reports out of the
 * log and sends each here as it closes; the worker decodes and diagnoses them and writes the
 * output (through `write`, on this thread). Undefined when there is no worker file to start.
 */
export function startAnalyzeWorker(options: AnalyzeOptions, knownIssues: readonly KnownIssueRule[], output: WorkerOutput): AnalyzeWorker | undefined {
  const file = workerFile();
  return file ? new AnalyzeWorker(file, options, knownIssues, output) : undefined;
}

export class AnalyzeWorker implements RawReportSink {
  private readonly worker: Worker;
  private readonly fromWorker: MessagePort;
  private readonly taken = new Int32Array(new SharedArrayBuffer(4));
  private posted = 0;
  /** Calls not handed over yet: they go together once the reader is done with a block (ready). */
  private calls: SinkCall[] = [];
  /** Lines of the reports posted (wrapping as the worker's Int32 count does). */
  private postedLines = 0;
  private failure: Error | undefined;
  private settle: { resolve(reportCount: number): void; reject(error: Error): void } | undefined;
  private readonly done: Promise<number>;

  constructor(
    file: string,
    options: AnalyzeOptions,
    knownIssues: readonly KnownIssueRule[],
    private readonly output: WorkerOutput,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.fromWorker = port1;
    const data: WorkerData = { options, knownIssues, taken: this.taken, out: port2 };
    if ('fd' in output) data.outputFd = output.fd;
    this.worker = new Worker(file, { workerData: data, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // Until finish() is awaited, a failure surfaces through ready().
    this.done.catch(() => undefined);
    this.worker.on('error', (e: Error) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the analysis worker stopped (exit ${code}) before it was done`)));
  }

  take(raw: RawReport, floor: number): void {
    if (this.failure) return;
    this.posted++;
    this.postedLines = (this.postedLines + raw.lines.length) | 0;
    this.calls.push({ type: 'report', report: toWire(raw), floor });
  }

  precursor(event: PrecursorEvent): void {
    if (!this.failure) this.calls.push({ type: 'precursor', event });
  }

  /** Reports handed to the worker so far. */
  get handedOver(): number {
    return this.posted;
  }

  /**
   * Writes what the worker has written so far; undefined while it keeps up, else resolves once it
   * has caught up (rejects if it failed).
   */
  ready(): Promise<void> | undefined {
    this.send();
    this.drain();
    if (this.failure) return Promise.reject(this.failure);
    return this.backlog() < MAX_BACKLOG_LINES ? undefined : this.catchUp();
  }

  /** Hands over the rest of what the reader found; resolves to the number of reports once all is written. */
  finish(findings: LineFindings, inputs: InputSummaries): Promise<number> {
    this.send();
    if (!this.failure) this.post({ type: 'finish', findings, inputs });
    this.drain();
    this.fromWorker.on('message', (message: FromWorker) => this.handle(message));
    return this.done;
  }

  stop(): void {
    this.worker.removeAllListeners('exit');
    this.fromWorker.close();
    void this.worker.terminate();
  }

  private backlog(): number {
    return (this.postedLines - Atomics.load(this.taken, 0)) | 0;
  }

  private async catchUp(): Promise<void> {
    while (this.backlog() >= MAX_BACKLOG_LINES / 2) {
      // Awaiting returns to the event loop, where a failure is heard.
      await waitAsync(this.taken, 0, Atomics.load(this.taken, 0), CATCH_UP_POLL_MS).value;
      this.drain();
      if (this.failure) throw this.failure;
    }
  }

  private drain(): void {
    for (let m = receiveMessageOnPort(this.fromWorker); m; m = receiveMessageOnPort(this.fromWorker)) this.handle(m.message as FromWorker);
  }

  private handle(message: FromWorker): void {
    if (message.type === 'output') {
      if ('write' in this.output) this.output.write(message.bytes);
    }
    else if (message.type === 'done') this.settle?.resolve(message.reportCount);
    else this.fail(asError(message.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.settle?.reject(this.failure);
  }

  /** Hands over the calls made since the last time. */
  private send(): void {
    if (this.calls.length === 0) return;
    if (!this.failure) this.post({ type: 'calls', calls: this.calls });
    this.calls = [];
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }
}

/** Node 20 has Atomics.waitAsync; TypeScript's ES2022 library does not declare it. */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { value: Promise<string> | string } }).waitAsync;

/** An error the worker reported, as this thread would have thrown it. */
function asError(error: { message: string; code?: ErrorCode; stack?: string }): Error {
  if (error.code) return new KtError(error.code, error.message);
  const e = new Error(error.message);
  if (error.stack) e.stack = error.stack;
  return e;
}
