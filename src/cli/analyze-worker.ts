// The worker thread of `ktriage analyze` on big inputs (analyze-in-worker.ts starts it): takes
// what the reader finds as it finds it, decodes and diagnoses as reports and incidents close,
// and at the end renders the whole analysis.
import { parentPort, workerData } from 'node:worker_threads';
import { KtError } from '../errors.js';
import { fromWire } from '../reports/collect-reports.js';
import { renderAnalysis } from './analyze-command.js';
import type { FromWorker, ToWorker, WorkerData } from './analyze-in-worker.js';
import { StreamingAnalysis } from './streaming-analysis.js';

const port = parentPort;
if (port) {
  const { options, knownIssues, taken } = workerData as WorkerData;
  const analysis = new StreamingAnalysis(options, knownIssues);
  const reply = (message: FromWorker) => port.postMessage(message);
  const fail = (e: unknown) => {
    const error = e instanceof KtError ? { message: e.message, code: e.code } : e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) };
    reply({ type: 'failed', error });
  };
  port.on('message', (message: ToWorker) => {
    try {
      if (message.type === 'report') {
        analysis.take(fromWire(message.report), message.floor);
        Atomics.add(taken, 0, 1);
        Atomics.notify(taken, 0);
      } else if (message.type === 'precursor') {
        analysis.precursor(message.event);
      } else {
        analysis.finish(message.inputs, message.findings).then((result) => reply({ type: 'done', rendered: renderAnalysis(result, options) }), fail);
      }
    } catch (e) {
      fail(e);
    }
  });
}
