/**
 * One report whole: the answer, trace, facts and every line; copy it as the Markdown RCA the CLI
 * writes (`analyze --format markdown`, the same renderer) or download the raw lines.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ReportDetail } from '../api-types.js';
import { SCHEMA_VERSION } from '../../../src/reports/crash-report.js';
import { KindBadge } from '../components/badges.js';
import { Answer, CallTrace, Facts, RawReport } from '../components/report-view.js';
import { Pending } from '../components/state.js';
import { Time } from '../components/time.js';
import { useFetch } from '../use-fetch.js';

export function ReportPage({ id }: { id: string }) {
  const fetched = useFetch(`report ${id}`, (signal) => api.report(id, signal));
  const d = fetched.data;
  return (
    <>
      <Pending fetched={fetched} what="this report" />
      {d && <ReportView d={d} />}
    </>
  );
}

/** The analysis result `analyze --json` would give for this one report and its incident. */
export async function rcaMarkdown(d: ReportDetail): Promise<string> {
  // Loaded when asked for: the first page does not carry the renderer.
  const { renderMarkdown } = await import('../../../src/render/markdown-renderer.js');
  // The collector re-keys a report by its fleet id; its incident may still name the agent's ids.
  const own = d.incident && d.incident.reportIds.includes(d.report.id);
  const incident = d.incident ? { ...d.incident, host: d.incident.host ?? d.host, ...(own ? {} : { reportIds: [d.report.id], firstCause: d.report.id }) } : undefined;
  return renderMarkdown({
    schemaVersion: SCHEMA_VERSION,
    reports: [d.report],
    incidents: incident ? [incident] : [],
    precursors: [],
    inputs: [{ source: `${d.host}${d.release ? ` (${d.release})` : ''}`, format: 'collector', lines: d.report.lines.length }],
  });
}

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  // Plain HTTP on a non-loopback address has no clipboard API: select a hidden field and copy.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

function ReportView({ d }: { d: ReportDetail }) {
  const r = d.report;
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await copyText(await rcaMarkdown(d));
      setCopied('Copied the Markdown RCA.');
    } catch (e) {
      setCopied(`Could not copy: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        {r.bucket ? <a href={`/buckets/${encodeURIComponent(r.bucket)}`}>Bucket</a> : <a href="/buckets">Buckets</a>} / <span class="muted">report {r.id}</span>
      </nav>
      <div class="page-head">
        <h1>{r.title}</h1>
        <p class="meta">
          <KindBadge kind={r.kind} /> <span class={`badge sev sev-${r.severity}`}>{r.severity}</span> on <a href={`/hosts/${encodeURIComponent(d.host)}`}>{d.host}</a>
          {d.release && (
            <>
              {' '}
              · <code>{d.release}</code>
            </>
          )}
          {r.wallTime && (
            <>
              {' '}
              · <Time iso={r.wallTime} />
            </>
          )}{' '}
          · received <Time iso={d.receivedAt} />
        </p>
        <div class="actions">
          <button type="button" class="primary" onClick={copy}>
            Copy as Markdown RCA
          </button>
          <a class="button" href={api.rawUrl(r.id)} download={`${d.host}-${r.id}.log`}>
            Download raw
          </a>
          <span role="status" class="muted small">
            {copied}
          </span>
        </div>
      </div>
      <Answer report={r} incident={d.incident} />
      <CallTrace report={r} incident={d.incident} />
      <Facts report={r} />
      <RawReport report={r} open />
    </>
  );
}
