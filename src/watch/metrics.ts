import { createServer, type Server } from 'node:http';

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  series: Map<string, { labels: Labels; value: number }>;
}

/** The agent's metrics, rendered in the Prometheus text exposition format (version 0.0.4). */
export class Metrics {
  private readonly families = new Map<string, Family>();
  /** Values read at scrape time (own CPU and memory, spool depth). */
  private readonly collectors: (() => void)[] = [];

  counter(name: string, help: string): void {
    this.families.set(name, { help, type: 'counter', series: new Map() });
  }

  gauge(name: string, help: string): void {
    this.families.set(name, { help, type: 'gauge', series: new Map() });
  }

  has(name: string): boolean {
    return this.families.has(name);
  }

  onScrape(collect: () => void): void {
    this.collectors.push(collect);
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const s = this.seriesOf(name, labels);
    s.value += by;
  }

  set(name: string, labels: Labels, value: number): void {
    this.seriesOf(name, labels).value = value;
  }

  get(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.series.get(keyOf(labels))?.value ?? 0;
  }

  render(): string {
    for (const collect of this.collectors) collect();
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const { labels, value } of f.series.values()) out.push(`${name}${labelText(labels)} ${formatValue(value)}`);
    }
    return `${out.join('\n')}\n`;
  }

  private seriesOf(name: string, labels: Labels): { labels: Labels; value: number } {
    const f = this.families.get(name);
    if (!f) throw new Error(`metric ${name} was not declared`);
    const key = keyOf(labels);
    let s = f.series.get(key);
    if (!s) f.series.set(key, (s = { labels, value: 0 }));
    return s;
  }
}

function keyOf(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\0');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(',')}}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Serves `GET /metrics` (and `/healthz`) on HOST:PORT; resolves with the bound port. */
export async function serveMetrics(metrics: Metrics, listen: string): Promise<{ server: Server; port: number }> {
  const m = /^(.*):(\d+)$/.exec(listen);
  const host = m ? (m[1] as string).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = Number(m ? m[2] : listen);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
    } else if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
