/**
 * A host's readiness: the `ktriage doctor --json` result its agent sent (src/host/run-doctor.ts).
 * It came over the network, so each field is checked before it is shown.
 */
import type { DoctorReport } from '../../../src/host/run-doctor.js';

type Check = DoctorReport['checks'][number];

function isDoctorReport(x: unknown): x is DoctorReport {
  const r = x as Partial<DoctorReport> | null;
  return !!r && typeof r === 'object' && typeof r.score === 'number' && Array.isArray(r.checks) && !!r.counts;
}

const ORDER: Record<string, number> = { fail: 0, warn: 1, skip: 2, pass: 3 };

export function Readiness({ readiness }: { readiness: unknown }) {
  if (readiness === undefined || readiness === null) return <p class="muted">This host's agent has not sent a readiness check (<code>ktriage doctor</code>) yet.</p>;
  if (!isDoctorReport(readiness)) return <p class="warn">The readiness the agent sent is not a doctor result this dashboard reads.</p>;
  const checks = [...readiness.checks].filter((c: Check) => typeof c?.id === 'string').sort((a, b) => (ORDER[a.status] ?? 4) - (ORDER[b.status] ?? 4));
  const c = readiness.counts;
  const tone = readiness.score >= 80 ? 'good' : readiness.score >= 50 ? 'warn' : 'bad';
  return (
    <div class="readiness">
      <p>
        <span class={`score tone-${tone}`} aria-label={`Readiness score ${readiness.score} of 100`}>
          {readiness.score}
          <small>/100</small>
        </span>{' '}
        <span class="muted">
          {c.pass} pass, {c.warn} warn, {c.fail} fail, {c.skip} skipped{readiness.kernel ? ` · kernel ${readiness.kernel}` : ''}
          {readiness.os ? ` · ${readiness.os.prettyName}` : ''}
        </span>
      </p>
      <ul class="checks">
        {checks.map((check) => (
          <li class={`check check-${check.status}`}>
            <span class={`check-mark mark-${check.status}`}>{check.status.toUpperCase()}</span>
            <div>
              <strong>{check.title}</strong> <span class="muted small">{check.area}</span>
              <div class="small">{check.summary}</div>
              {(check.status === 'warn' || check.status === 'fail') && <div class="small muted">{check.why}</div>}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
