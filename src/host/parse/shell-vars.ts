/**
 * `KEY=value` files read by a shell or by systemd's EnvironmentFile= (os-release,
 * /etc/default/*, /etc/sysconfig/*): comments and blank lines skipped, one level of single or
 * double quotes removed, later assignments win. `$VAR` is not expanded.
 */
export function parseShellVars(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    vars.set(m[1], unquote((m[2] ?? '').trim()));
  }
  return vars;
}

function unquote(value: string): string {
  const q = value[0];
  if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) return value.slice(1, -1);
  return value.replace(/\s+#.*$/, '');
}
