/**
 * One decoded report as `analyze` shows it: the answer first (cause and its evidence, culprit,
 * next steps, known issues), then the call trace with the culprit marked, the decoded facts and
 * the report's own lines. The facts and the culprit frame come from the same functions the
 * CLI's renderers use (src/render/report-facts.ts).
 */
import type { Diagnosis, PlaybookStep } from '../../../src/analysis/diagnosis.js';
import type { CrashReport, Incident, StackFrame } from '../../../src/reports/crash-report.js';
import { culpritFrameIndex, frameText, reportFacts } from '../../../src/render/report-facts.js';
import { CauseBadge } from './badges.js';
import { Inline } from './inline.js';

/**
 * An incident's diagnosis is about its first cause; for a later report of the incident (a hung
 * task after another) its culprit is the report's own.
 */
export function diagnosisOwnedBy(report: CrashReport, incident: Incident | undefined): Diagnosis | undefined {
  const d = incident?.diagnosis;
  return d && (d.bucket === undefined || d.bucket === report.bucket) ? d : undefined;
}

export function Answer({ report, incident }: { report: CrashReport; incident?: Incident | undefined }) {
  const d = incident?.diagnosis;
  const own = diagnosisOwnedBy(report, incident);
  const culprit = own ? (own.culprit ?? report.culprit) : report.culprit;
  return (
    <section class="panel answer" aria-labelledby="answer">
      <h2 id="answer">Diagnosis</h2>
      {d && !own && (
        <p class="muted small">
          This report came in an incident that started with <strong>{d.title}</strong>; the cause and next steps are the incident's.
        </p>
      )}
      <dl class="answer-grid">
        {d && (
          <>
            <dt>Likely cause</dt>
            <dd>
              <CauseBadge cause={d.cause.category} /> <span class="muted">{d.cause.confidence} confidence</span>
              {d.cause.evidence.length > 0 && (
                <ul class="evidence">
                  {d.cause.evidence.map((e) => (
                    <li>
                      <Inline text={e.finding} />
                    </li>
                  ))}
                </ul>
              )}
              {d.cause.alternatives.length > 0 && (
                <p class="muted small">
                  Also considered: {d.cause.alternatives.slice(0, 2).map((a) => `${a.category} (${a.evidence[0]?.finding ?? a.score.toFixed(2)})`).join('; ')}
                </p>
              )}
            </dd>
          </>
        )}
        <dt>Culprit</dt>
        <dd>
          {culprit ? (
            <>
              <code class="culprit-name">{culprit.function}</code>
              {culprit.module && (
                <>
                  {' '}
                  in module <code>{culprit.module}</code>
                </>
              )}
              {'file' in culprit && culprit.file && (
                <>
                  {' '}
                  at{' '}
                  <code>
                    {culprit.file}
                    {culprit.line !== undefined ? `:${culprit.line}` : ''}
                  </code>
                </>
              )}
            </>
          ) : (
            <span class="muted">no frame could be blamed</span>
          )}
        </dd>
        {d?.escalation && (
          <>
            <dt>Why it panicked</dt>
            <dd>
              <code>{d.escalation.setting}</code>: <Inline text={d.escalation.explanation} />
            </dd>
          </>
        )}
        {d && d.nextSteps.length > 0 && (
          <>
            <dt>Next steps</dt>
            <dd>
              <ol class="next-steps">
                {d.nextSteps.map((s) => (
                  <li>
                    <Inline text={s} />
                  </li>
                ))}
              </ol>
            </dd>
          </>
        )}
        {d && d.knownIssues.length > 0 && (
          <>
            <dt>Known issues</dt>
            <dd>
              {d.knownIssues.map((k) => (
                <div class="known-issue">
                  <strong>{k.title}</strong> <span class="muted small">({k.id})</span>
                  <p>
                    <Inline text={k.note} />
                  </p>
                  {k.links.map((l) => (
                    <div>
                      <a href={l} rel="noreferrer noopener" target="_blank">
                        {l}
                      </a>
                    </div>
                  ))}
                </div>
              ))}
            </dd>
          </>
        )}
      </dl>
      {d && <Playbook d={d} />}
    </section>
  );
}

function Playbook({ d }: { d: Diagnosis }) {
  const part = (title: string, steps: PlaybookStep[]) =>
    steps.length > 0 && (
      <>
        <h4>{title}</h4>
        <ol>
          {steps.map((s) => (
            <li>
              <Inline text={s.step} />
              {(s.commands ?? []).map((c) => (
                <div class="cmd">
                  <span class="muted">{c.purpose}:</span> {c.any && <code>{c.any}</code>}
                  {c.debian && (
                    <>
                      {' '}
                      <code title="Debian/Ubuntu">{c.debian}</code>
                    </>
                  )}
                  {c.rhel && (
                    <>
                      {' '}
                      <code title="RHEL/Fedora">{c.rhel}</code>
                    </>
                  )}
                </div>
              ))}
            </li>
          ))}
        </ol>
      </>
    );
  return (
    <details class="playbook">
      <summary>Playbook: {d.playbook.title}</summary>
      {part('Check first', d.playbook.checks)}
      {part('Fix', d.playbook.fix)}
      {part('Prevent', d.playbook.prevent)}
    </details>
  );
}

function whereOf(f: StackFrame): string | undefined {
  if (f.file) return `${f.file}${f.line !== undefined ? `:${f.line}` : ''}`;
  const r = f.resolved;
  if (r?.file) return `${r.file}${r.line ? `:${r.line}` : ''}`;
  return undefined;
}

export function CallTrace({ report, incident }: { report: CrashReport; incident?: Incident | undefined }) {
  if (report.stacks.length === 0 && !report.ip) return null;
  const d = diagnosisOwnedBy(report, incident);
  return (
    <section class="panel" aria-labelledby="trace">
      <h2 id="trace">Call trace</h2>
      {report.ip && (
        <p class={`rip ${report.culprit?.from === 'ip' ? 'culprit' : ''}`}>
          <span class="muted">RIP</span> <code>{report.ip.raw}</code>
          {report.culprit?.from === 'ip' && <span class="culprit-mark"> ◀ culprit</span>}
        </p>
      )}
      {report.stacks.map((stack, si) => {
        const culpritAt = si === 0 && d ? culpritFrameIndex(report, stack.frames, d) : si === 0 ? fallbackCulprit(report, stack.frames) : -1;
        return (
          <div class="stack">
            {report.stacks.length > 1 && (
              <h3>
                {stack.label}
                {stack.task ? ` (${stack.task})` : ''}
              </h3>
            )}
            <ol class="trace">
              {stack.frames.map((f, i) => {
                const where = whereOf(f);
                return (
                  <li class={`${i === culpritAt ? 'culprit' : ''} ${f.reliable ? '' : 'unreliable'}`}>
                    <code>{frameText({ ...f, file: undefined, line: undefined } as StackFrame)}</code>
                    {where && <span class="where">{where}</span>}
                    {i === culpritAt && <span class="culprit-mark"> ◀ culprit</span>}
                  </li>
                );
              })}
            </ol>
          </div>
        );
      })}
    </section>
  );
}

/** Without an incident's diagnosis: the report's own culprit function. */
function fallbackCulprit(report: CrashReport, frames: readonly StackFrame[]): number {
  const c = report.culprit;
  if (!c || c.from === 'ip') return -1;
  return frames.findIndex((f) => f.function === c.function && (f.module ?? '') === (c.module ?? ''));
}

export function Facts({ report }: { report: CrashReport }) {
  const facts = reportFacts(report);
  if (facts.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="facts">
      <h2 id="facts">Decoded</h2>
      <dl class="facts">
        {facts.map((f) => (
          <>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </>
        ))}
      </dl>
      {report.corrupted && <p class="warn">Read in part: {report.corruptedReasons.join('; ')}</p>}
    </section>
  );
}

export function RawReport({ report, open = false }: { report: CrashReport; open?: boolean }) {
  return (
    <details class="panel raw" open={open}>
      <summary>
        <h2>Raw report</h2> <span class="muted small">{report.lines.length} lines</span>
      </summary>
      <pre class="log" tabIndex={0} aria-label="The report as logged">
        {report.lines.map((l) => (
          <span class="line">
            <span class="ln" aria-hidden="true">
              {l.line}
            </span>
            {l.ts !== undefined && <span class="ts">[{l.ts.toFixed(6)}] </span>}
            {l.text}
            {'\n'}
          </span>
        ))}
      </pre>
    </details>
  );
}
