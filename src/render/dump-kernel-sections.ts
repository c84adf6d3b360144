import type { DumpKernelState, DumpTaskTrace } from '../reports/crash-report.js';

// The "kernel state in the dump" section of the Markdown and HTML views (what `vmcore bt`,
// `ps --state D`, `ps` by RSS and `mod` show, read by the analysis of a dump).

const TRACE_FRAMES = 40;

function traceTitle(t: DumpTaskTrace): string {
  return `PID ${t.pid} ${t.comm} on CPU ${t.cpu} (${t.state}, task ${t.task})`;
}

function traceLines(t: DumpTaskTrace): string[] {
  const lines = t.frames.slice(0, TRACE_FRAMES).map((f, i) => `#${i} ${f}`);
  if (t.frames.length > TRACE_FRAMES) lines.push(`… ${t.frames.length - TRACE_FRAMES} more frames`);
  if (t.stopped) lines.push(`(unwinding stopped: ${t.stopped})`);
  return lines;
}

/** Active tasks of the CPUs other than the panic task (it has its own block). */
function otherCpus(k: DumpKernelState): DumpTaskTrace[] {
  return (k.cpus ?? []).filter((c) => c.task !== k.panicTask?.task);
}

export function kernelStateMarkdown(k: DumpKernelState): string[] {
  const out = [`## Kernel state in the dump \`${k.source}\``, ''];
  if (k.unavailable) return [...out, `Not read: ${k.unavailable}`];
  out.push("Read from the dump's own kallsyms, BTF and ORC tables (`ktriage vmcore bt|ps|mod`).");
  const trace = (title: string, t: DumpTaskTrace): void => {
    out.push('', `**${title}**: ${traceTitle(t)}`, '', '```', ...traceLines(t), '```');
  };
  if (k.panicTask) trace('Panic task', k.panicTask);
  for (const c of otherCpus(k)) trace(`CPU ${c.cpu}`, c);
  for (const b of k.blockedTasks ?? []) trace('Blocked (D state)', b);
  if (k.largestTasks?.length) {
    out.push('', '**Largest tasks by RSS**', '', '| PID | comm | RSS KiB | VSZ KiB |', '|---:|---|---:|---:|');
    for (const t of k.largestTasks) out.push(`| ${t.pid} | ${t.comm.replace(/[|`]/g, '')} | ${t.rssKiB} | ${t.vszKiB} |`);
  }
  if (k.modules?.length) {
    out.push('', '**Modules**', '', '| module | base | size | taints |', '|---|---|---:|---|');
    for (const m of k.modules) out.push(`| ${m.name} | \`${m.base}\` | ${m.size} | ${m.taints || '-'} |`);
  }
  if (k.partial?.length) out.push('', `Partly read: ${k.partial.join('; ')}`);
  return out;
}

export function kernelStateHtml(k: DumpKernelState, esc: (s: string) => string): string {
  const out = [`<section class="kernel-state"><h2>Kernel state in the dump ${esc(k.source)}</h2>`];
  if (k.unavailable) return `${out[0]}<p>Not read: ${esc(k.unavailable)}</p></section>`;
  const trace = (title: string, t: DumpTaskTrace): void => {
    out.push(`<h3>${esc(title)}: ${esc(traceTitle(t))}</h3><pre>${esc(traceLines(t).join('\n'))}</pre>`);
  };
  if (k.panicTask) trace('Panic task', k.panicTask);
  for (const c of otherCpus(k)) trace(`CPU ${c.cpu}`, c);
  for (const b of k.blockedTasks ?? []) trace('Blocked (D state)', b);
  if (k.largestTasks?.length) {
    out.push('<h3>Largest tasks by RSS</h3><table><tr><th>PID</th><th>comm</th><th>RSS KiB</th><th>VSZ KiB</th></tr>');
    for (const t of k.largestTasks) out.push(`<tr><td>${t.pid}</td><td>${esc(t.comm)}</td><td>${t.rssKiB}</td><td>${t.vszKiB}</td></tr>`);
    out.push('</table>');
  }
  if (k.modules?.length) {
    out.push('<h3>Modules</h3><table><tr><th>module</th><th>base</th><th>size</th><th>taints</th></tr>');
    for (const m of k.modules) out.push(`<tr><td>${esc(m.name)}</td><td><code>${esc(m.base)}</code></td><td>${m.size}</td><td>${esc(m.taints || '-')}</td></tr>`);
    out.push('</table>');
  }
  if (k.partial?.length) out.push(`<p>Partly read: ${esc(k.partial.join('; '))}</p>`);
  out.push('</section>');
  return out.join('\n');
}
