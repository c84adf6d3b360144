/** The page's only style sheet, inlined so the page needs nothing else. Light and dark. */
export const HTML_STYLE = `
:root { --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --culprit: #ffd8a8;
  --tip-bg: #1b1f24; --tip-fg: #fff; --fatal: #cf222e; --oops: #bc4c00; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d;
  --panel: #161b22; --culprit: #6e3b00; --tip-bg: #e6edf3; --tip-fg: #0d1117; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header, main { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
header h1 { font-size: 20px; margin: 18px 0 4px; }
header p { color: var(--muted); margin: 0 0 12px; }
code, pre, .trace { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.incident { border-top: 2px solid var(--line); padding: 8px 0 24px; }
.answer { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 18px; }
.answer .title { margin: 4px 0 10px; font-size: 22px; }
.incident-id { margin: 0; color: var(--muted); font-size: 13px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; }
dd ul { margin: 0; padding-left: 18px; }
.cause { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 700; color: #fff; background: #57606a; }
.cause-hardware, .cause-firmware { background: #8250df; }
.cause-driver { background: #bc4c00; }
.cause-kernel-bug { background: #cf222e; }
.cause-resource-exhaustion { background: #9a6700; }
.cause-boot, .cause-configuration { background: #0969da; }
.cause-deliberate { background: #1a7f37; }
.next-steps li { margin: 2px 0; }
.timeline { padding-left: 20px; }
.timeline time { color: var(--muted); font-family: ui-monospace, monospace; font-size: 13px; }
.timeline .sev-fatal a, .timeline .sev-oops a { color: var(--fatal); font-weight: 600; }
.trace { list-style: none; padding: 0; margin: 0; border: 1px solid var(--line); border-radius: 6px; }
.trace li { padding: 1px 10px; }
.trace li.culprit { background: var(--culprit); font-weight: 700; }
.trace li.unreliable { color: var(--muted); }
.report { margin-top: 18px; }
.report h3 { margin-bottom: 4px; }
.facts { margin-bottom: 8px; font-size: 14px; }
.corrupted { color: var(--warn); }
.log { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 0; overflow-x: auto; }
.log .line { display: block; padding: 0 10px; white-space: pre; }
.log .ln { display: inline-block; width: 6ch; color: var(--muted); user-select: none; }
.f { position: relative; border-bottom: 1px dotted var(--muted); cursor: help; }
.f.header { font-weight: 700; }
.f.culprit, .log .culprit { background: var(--culprit); }
.f:hover::after, .f:focus::after { content: attr(data-tip); position: absolute; left: 0; top: 1.6em; z-index: 10;
  width: max-content; max-width: 480px; white-space: normal; padding: 6px 9px; border-radius: 6px;
  background: var(--tip-bg); color: var(--tip-fg); font: 13px/1.4 system-ui, sans-serif; font-weight: 400; }
.playbook { margin-top: 16px; }
.playbook summary { font-weight: 600; cursor: pointer; }
.cmd { margin: 2px 0 2px 8px; }
.cmd .purpose { color: var(--muted); margin-right: 8px; }
.cmd code { background: var(--panel); padding: 1px 5px; border-radius: 4px; }
.precursors li { font-size: 14px; }
.contents ol { padding-left: 22px; }
.contents li { margin: 2px 0; }
.contents .cause { font-size: 12px; }
.incident.repeat { padding: 4px 0; color: var(--muted); }
`;
