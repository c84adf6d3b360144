import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KtError } from '../errors.js';
import { parseKdumpConf, parseKdumpTools } from '../host/parse/kdump-config.js';
import type { WatchOptions } from '../watch/agent.js';

export const WATCH_USAGE = `usage: ktriage watch [options]

The host agent: follows the kernel log, raises events and alerts on warning signs, finds what
the previous boot left (unexpected reboot, pstore, crash dumps) and sends the reports to the
collector through an on-disk spool.

sources:
  --kmsg PATH            follow this kmsg device (default /dev/kmsg); --no-kmsg: do not
  --journal              follow journalctl -k -f -o export as well (or instead, with --no-kmsg)
  --file PATH            follow a log file (rotation and truncation survived); repeatable
  --from now|start       where a first start begins: new lines only (default) or all kept
  --journalctl PATH      the journalctl binary (default journalctl)
  --journal-directory D  follow the journal files in D (a node's journal in a container)
at start:
  --pstore DIR           pstore directory (default SYS/fs/pstore); repeatable
  --systemd-pstore DIR   systemd-pstore's archive (default /var/lib/systemd/pstore)
  --crash-dir DIR        dump directory (default: the kdump configuration's, or /var/crash)
  --no-previous-journal  do not ask the journal whether the previous boot ended cleanly
  --upload-dumps         (reserved) the dump file itself may leave the host; by default only
                         its analysis is uploaded
  --once                 run the checks at start, upload, and exit (cron, boot hooks)
rules:
  --rules FILE           more line rules (rules/watch-rules.yaml format); repeatable
  --resource-rules FILE  more resource thresholds (rules/watch-resources.yaml); repeatable
  --known-issues FILE    more known-issue rules for the analysis; repeatable
outputs:
  --collector URL        the ktriage serve collector; token from KTRIAGE_TOKEN or --token-file
  --token-file FILE      file holding the collector's ingest token
  --alertmanager URL     post alerts to Alertmanager's /api/v2/alerts
  --webhook URL          post alerts as JSON to this URL instead
  --metrics-listen ADDR  serve Prometheus /metrics on HOST:PORT (e.g. 127.0.0.1:9101)
  --alert-window S       one alert per rule and device per S seconds, with a count (default 60)
agent:
  --state-dir DIR        the only place it writes (default /var/lib/ktriage-watch)
  --host NAME            host name to report (default the system's)
  --proc DIR, --sys DIR  read /proc and /sys from these roots (default /proc, /sys)
  --sample-interval S    seconds between resource readings (default 15)
  --quiet S              a report is complete after S quiet seconds (default 5)
  --spool-max N          spool items kept while the collector is away (default 10000)
  -h, --help             this help`;

export function parseWatchArgs(argv: string[], env: NodeJS.ProcessEnv): WatchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        kmsg: { type: 'string' },
        'no-kmsg': { type: 'boolean', default: false },
        journal: { type: 'boolean', default: false },
        file: { type: 'string', multiple: true, default: [] },
        from: { type: 'string', default: 'now' },
        journalctl: { type: 'string', default: 'journalctl' },
        'journal-directory': { type: 'string' },
        pstore: { type: 'string', multiple: true },
        'systemd-pstore': { type: 'string' },
        'crash-dir': { type: 'string', multiple: true },
        'no-previous-journal': { type: 'boolean', default: false },
        'upload-dumps': { type: 'boolean', default: false },
        once: { type: 'boolean', default: false },
        rules: { type: 'string', multiple: true, default: [] },
        'known-issues': { type: 'string', multiple: true, default: [] },
        'resource-rules': { type: 'string', multiple: true, default: [] },
        collector: { type: 'string' },
        'token-file': { type: 'string' },
        alertmanager: { type: 'string' },
        webhook: { type: 'string' },
        'metrics-listen': { type: 'string' },
        'alert-window': { type: 'string', default: '60' },
        'state-dir': { type: 'string', default: '/var/lib/ktriage-watch' },
        host: { type: 'string' },
        proc: { type: 'string', default: '/proc' },
        sys: { type: 'string', default: '/sys' },
        'sample-interval': { type: 'string', default: '15' },
        quiet: { type: 'string', default: '5' },
        'spool-max': { type: 'string', default: '10000' },
      },
    }));
  } catch (e) {
    throw new KtError('KT_E_USAGE', `watch: ${(e as Error).message}`);
  }
  const from = values.from;
  if (from !== 'now' && from !== 'start') throw new KtError('KT_E_USAGE', `watch: --from must be 'now' or 'start', not '${from}'`);
  for (const url of [values.collector, values.alertmanager, values.webhook]) if (url !== undefined) checkUrl(url);
  if (values['metrics-listen'] !== undefined && !/^(?:[\w.-]+|\[[\da-fA-F:]+\]):\d{1,5}$/.test(values['metrics-listen'])) {
    throw new KtError('KT_E_USAGE', `watch: --metrics-listen wants HOST:PORT, not '${values['metrics-listen']}'`);
  }
  const token = values['token-file'] !== undefined ? readToken(values['token-file']) : env['KTRIAGE_TOKEN'];
  const options: WatchOptions = {
    stateDir: values['state-dir'],
    proc: values.proc,
    sys: values.sys,
    from,
    journal: values.journal,
    journalctl: values.journalctl,
    files: values.file,
    ruleFiles: values.rules,
    knownIssueFiles: values['known-issues'],
    resourceRuleFiles: values['resource-rules'],
    once: values.once,
    pstoreDirs: values.pstore ?? [`${values.sys}/fs/pstore`],
    systemdPstoreDir: values['systemd-pstore'] ?? '/var/lib/systemd/pstore',
    crashDirs: values['crash-dir'] ?? [kdumpDir()],
    uploadDumps: values['upload-dumps'],
    sampleSeconds: positive(values['sample-interval'], '--sample-interval'),
    quietSeconds: positive(values.quiet, '--quiet'),
    spoolMax: Math.floor(positive(values['spool-max'], '--spool-max')),
    alertWindowSeconds: positive(values['alert-window'], '--alert-window'),
    journalAtStart: !values['no-previous-journal'],
  };
  if (!values['no-kmsg']) options.kmsg = values.kmsg ?? '/dev/kmsg';
  if (values.host !== undefined) options.host = values.host;
  if (values['journal-directory'] !== undefined) options.journalDirectory = values['journal-directory'];
  if (values.collector !== undefined) options.collector = { url: values.collector, ...(token !== undefined && { token }) };
  if (values.alertmanager !== undefined) options.alertmanager = values.alertmanager;
  if (values.webhook !== undefined) options.webhook = values.webhook;
  if (values['metrics-listen'] !== undefined) options.metricsListen = values['metrics-listen'];
  return options;
}

function positive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new KtError('KT_E_USAGE', `watch: ${name} wants a positive number, not '${v}'`);
  return n;
}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new KtError('KT_E_USAGE', `watch: not a URL: '${url}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new KtError('KT_E_USAGE', `watch: only http and https URLs, not '${url}'`);
}

function readToken(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new KtError('KT_E_UNREADABLE', `${path}: ${(e as Error).message}`);
  }
}

/** The kdump configuration's local dump directory (Debian's kdump-tools, then RHEL's kdump.conf). */
function kdumpDir(): string {
  for (const [file, parse] of [
    ['/etc/default/kdump-tools', parseKdumpTools],
    ['/etc/kdump.conf', parseKdumpConf],
  ] as const) {
    try {
      const config = parse(readFileSync(file, 'utf8'), file);
      if (!config.remote && config.target.startsWith('/')) return config.target;
    } catch {
      // Not configured this way.
    }
  }
  return '/var/crash';
}
