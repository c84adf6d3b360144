// The worker thread of `ktriage analyze` on big inputs (analyze-in-worker.ts starts it): takes
// what the reader finds as it finds it, decodes and diagnoses as reports and incidents close,
// and sends the output back as it is written.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { KtError, outputErrorMessage } from '../errors.js';
import { fromWire } from '../reports/collect-reports.js';
import { ReportAnalysis } from '../pipeline/report-analysis.js';
import { enrichmentOf, outputWriter } from './analyze-command.js';
import type { FromWorker, ToWorker, WorkerData } from './analyze-in-worker.js';

if (parentPort) {
  const { options, knownIssues, taken, out, outputFd } = workerData as WorkerData;
  const reply = (message: FromWorker) => out.postMessage(message);
  // Output crosses as bytes in a buffer handed over whole: a string would be copied on the way
  // and encoded again by the reader's write.
  const encoder = new TextEncoder();
  const writeOut =
    outputFd !== undefined
      ? (text: string) => writeAll(outputFd, Buffer.from(text))
      : (text: string) => {
          const bytes = encoder.encode(text);
          out.postMessage({ type: 'output', bytes } satisfies FromWorker, [bytes.buffer]);
        };
  const writer = outputWriter(options, writeOut);
  const enrich = enrichmentOf(options);
  const analysis = new ReportAnalysis({
    knownIssues,
    onReport: (report) => writer.report(report),
    ...(writer.incident && { onIncident: writer.incident }),
    ...(enrich && { enrich }),
  });
  const fail = (e: unknown) => {
    const error = e instanceof KtError ? { message: e.message, code: e.code } : e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) };
    reply({ type: 'failed', error });
  };
  parentPort.on('message', (message: ToWorker) => {
    try {
      if (message.type === 'calls') {
        for (const call of message.calls) {
          if (call.type === 'report') {
            analysis.take(fromWire(call.report), call.floor);
            Atomics.add(taken, 0, call.report.lines.length);
            Atomics.notify(taken, 0);
          } else analysis.precursor(call.event);
        }
      } else {
        analysis
          .finish(message.inputs, message.findings)
          .then((tail) => writer.end(tail))
          .then((reportCount) => reply({ type: 'done', reportCount }), fail);
      }
    } catch (e) {
      fail(e);
    }
  });
}

function writeAll(fd: number, bytes: Buffer): void {
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
  } catch (e) {
    throw new KtError('KT_E_OUTPUT', outputErrorMessage(e));
  }
}
