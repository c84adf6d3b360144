import { Metrics } from './metrics.js';

/** Every metric the agent exports, declared in one place (docs: the Grafana dashboard in deploy/). */
export function agentMetrics(): Metrics {
  const m = new Metrics();
  m.counter('ktriage_watch_reports_total', 'Crash reports completed, by report kind and severity.');
  m.counter('ktriage_watch_events_total', 'Kernel log lines that matched a watch rule, by rule and severity.');
  m.gauge('ktriage_watch_last_report_timestamp_seconds', 'Unix time of the last completed crash report (0: none yet).');
  m.counter('ktriage_watch_source_lines_total', 'Kernel log lines read, by source.');
  m.gauge('ktriage_watch_source_lag_seconds', "Seconds between the last line's own time and its reading, by source.");
  m.counter('ktriage_watch_records_lost_total', 'Records the kernel overwrote before the agent read them, by source.');
  m.counter('ktriage_watch_records_refused_total', 'Malformed records and oversized lines refused or cut, by source and reason.');
  m.gauge('ktriage_watch_spool_depth', 'Items waiting in the on-disk spool for the collector.');
  m.counter('ktriage_watch_spool_dropped_total', 'Spool items dropped because the spool was full (oldest first).');
  m.counter('ktriage_watch_uploads_total', 'Collector requests, by result (ok, failed, rejected).');
  m.counter('ktriage_watch_alerts_total', 'Alerts posted, by result (sent, failed).');
  m.counter('ktriage_watch_unexpected_reboots_total', 'Unexpected reboots found at start.');
  m.counter('ktriage_watch_files_refused_total', 'pstore and crash directory entries refused (symlinks, huge, undecodable).');
  m.counter('ktriage_watch_resource_breaches_total', 'Resource thresholds and trends crossed, by rule and severity.');
  m.counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.');
  m.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.');
  m.gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.');
  m.set('process_start_time_seconds', {}, Math.round(Date.now() / 1000 - process.uptime()));
  m.set('ktriage_watch_last_report_timestamp_seconds', {}, 0);
  m.onScrape(() => {
    const cpu = process.cpuUsage();
    m.set('process_cpu_seconds_total', {}, (cpu.user + cpu.system) / 1e6);
    m.set('process_resident_memory_bytes', {}, process.memoryUsage.rss());
  });
  return m;
}

/** A sampler's metric as its own gauge family (`ktriage_host_memory_available_ratio`). */
export function hostMetricName(metric: string): string {
  return `ktriage_host_${metric}`;
}
