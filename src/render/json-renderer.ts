import type { AnalysisResult, AnalysisTail, CrashReport } from '../reports/crash-report.js';

export type { AnalysisTail } from '../reports/crash-report.js';

/**
 * The `--json` document: the model as it is (docs/crash-report.schema.json), its keys in the
 * order JsonDocumentWriter writes them, so a document written whole and one written as the
 * reports came are the same bytes.
 */
export function renderJson(result: AnalysisResult): string {
  let out = '';
  const writer = new JsonDocumentWriter((text) => (out += text), result.schemaVersion);
  for (const report of result.reports) writer.report(report);
  writer.end(result);
  return out;
}

/**
 * Writes the `--json` document as it goes: the reports one by one as they are diagnosed (none is
 * held once written), then the rest. `inputs` comes last: its line counts are known only then.
 * Same text as JSON.stringify(document, null, 2).
 */
export class JsonDocumentWriter {
  private reports = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly schemaVersion: number,
  ) {}

  report(report: CrashReport): void {
    // Nothing is written before the first report: an input that fails early leaves no half document.
    this.write(`${this.reports++ === 0 ? this.head() : ','}${arrayElement(report)}`);
  }

  get reportCount(): number {
    return this.reports;
  }

  end(tail: AnalysisTail): void {
    this.write(this.reports === 0 ? `${this.head()}]` : '\n  ]');
    for (const [key, value] of Object.entries(orderedTail(tail))) {
      this.write(`,\n  ${JSON.stringify(key)}: `);
      // An array an element at a time: a long log's incidents would be one string of megabytes.
      if (Array.isArray(value) && value.length > 0) {
        value.forEach((element, i) => this.write(`${i === 0 ? '[' : ','}${arrayElement(element)}`));
        this.write('\n  ]');
      } else this.write(indent(JSON.stringify(value, null, 2), '  '));
    }
    this.write('\n}\n');
  }

  private head(): string {
    return `{\n  "schemaVersion": ${JSON.stringify(this.schemaVersion)},\n  "reports": [`;
  }
}

/** The keys after `reports`, in document order. */
function orderedTail(tail: AnalysisTail): AnalysisTail {
  const dropped = tail.precursorsDropped === undefined ? {} : { precursorsDropped: tail.precursorsDropped };
  const kernels = tail.kernels === undefined ? {} : { kernels: tail.kernels };
  return { incidents: tail.incidents, precursors: tail.precursors, ...dropped, ...kernels, inputs: tail.inputs };
}

/**
 * An element of a top-level array, on its own lines after the `[` or `,` before it: the value as
 * JSON.stringify lays it out two arrays deep, which is the depth it has in the document (one
 * pass, where re-indenting a report's text was a second).
 */
function arrayElement(value: unknown): string {
  const nested = JSON.stringify([[value]], null, 2);
  return nested.slice(NESTED_OPENING.length, nested.length - NESTED_CLOSING.length);
}
const NESTED_OPENING = '[\n  [';
const NESTED_CLOSING = '\n  ]\n]';

/** JSON text nested one level deeper (strings in JSON never hold a raw line break). */
function indent(json: string, by: string): string {
  return json.replaceAll('\n', `\n${by}`);
}
