/** The collector's counters, as Prometheus text exposition at /metrics. */
const COUNTERS = {
  ktriage_reports_accepted_total: 'crash reports stored',
  ktriage_reports_duplicate_total: 'crash reports already stored (retries, other collectors)',
  ktriage_events_accepted_total: 'host events stored',
  ktriage_http_requests_total: 'HTTP requests answered',
  ktriage_http_refused_total: 'HTTP requests refused with a 4xx',
  ktriage_netconsole_lines_total: 'netconsole lines received',
  ktriage_netconsole_lost_lines_total: 'netconsole lines lost (gaps in the extended sequence numbers)',
  ktriage_syslog_messages_total: 'syslog messages received',
  ktriage_syslog_malformed_total: 'syslog frames that could not be read',
  ktriage_alerts_sent_total: 'alerts delivered',
  ktriage_alerts_suppressed_total: 'alerts dropped by de-duplication or the rate limit',
  ktriage_alerts_failed_total: 'alerts the receiver did not accept',
} as const;

export type CounterName = keyof typeof COUNTERS;

export class Metrics {
  private readonly values = new Map<CounterName, number>();
  private readonly gauges = new Map<string, () => number>();

  add(name: CounterName, n = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + n);
  }

  get(name: CounterName): number {
    return this.values.get(name) ?? 0;
  }

  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }

  render(): string {
    const out: string[] = [];
    for (const [name, help] of Object.entries(COUNTERS) as [CounterName, string][]) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${this.get(name)}`);
    }
    for (const [name, read] of this.gauges) out.push(`# TYPE ${name} gauge`, `${name} ${read()}`);
    return `${out.join('\n')}\n`;
  }
}
