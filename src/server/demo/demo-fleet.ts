/**
 * The demo fleet as data: hosts, their kernel rollouts, and the crashes each group of hosts
 * has, each crash a real log (test/fixtures). Times are hours before the seeding.
 */
export interface DemoHostGroup {
  prefix: string;
  count: number;
}

export const DEMO_HOSTS: readonly DemoHostGroup[] = [
  { prefix: 'web', count: 12 },
  { prefix: 'db', count: 4 },
  { prefix: 'cache', count: 4 },
  { prefix: 'batch', count: 6 },
  { prefix: 'edge', count: 4 },
];

/** Debian's kernel updates, oldest first: every host starts on the first. */
export const DEMO_RELEASES = ['6.1.0-25-amd64', '6.1.0-26-amd64', '6.1.0-27-amd64'] as const;

/** Which hosts move to which release, and when (hours ago, spread over the window). */
export const DEMO_ROLLOUTS: readonly { release: (typeof DEMO_RELEASES)[number]; hosts: RegExp; fromHoursAgo: number; toHoursAgo: number }[] = [
  { release: '6.1.0-26-amd64', hosts: /./, fromHoursAgo: 240, toHoursAgo: 200 },
  { release: '6.1.0-27-amd64', hosts: /^(web-0[1-6]|batch-0[1-3])$/, fromHoursAgo: 58, toHoursAgo: 24 },
];

export interface DemoCrash {
  /** A log under test/fixtures. */
  log: string;
  /** Hosts it strikes. */
  hosts: RegExp;
  /** One every this many hours on average, from `fromHoursAgo` to `toHoursAgo`. */
  everyHours: number;
  fromHoursAgo: number;
  toHoursAgo: number;
  /** Only on hosts running this release (a crash a kernel update brought). */
  onRelease?: string;
  /** A storm: this many more in the last `hours`. */
  storm?: { count: number; hours: number };
  /** What an operator did with the bucket, and when. */
  triage?: { hoursAgo: number; status: 'known' | 'fixed' | 'ignored'; fixedIn?: string; note: string };
  /** Shows up again after its fix: one on a host running this release, this many hours ago. */
  cameBack?: { release: string; hoursAgo: number; host: string };
  why: string;
}

export const DEMO_CRASHES: readonly DemoCrash[] = [
  { log: 'reports/x86-hung-task-jbd2-failing-throttled-disk.log', hosts: /^db-/, everyHours: 40, fromHoursAgo: 330, toHoursAgo: 2, why: 'a database tier on a slow disk' },
  {
    log: 'reports/x86-oom-panic-on-oom.log',
    hosts: /^batch-/,
    everyHours: 20,
    fromHoursAgo: 330,
    toHoursAgo: 1,
    triage: { hoursAgo: 200, status: 'known', note: 'batch jobs without memory limits; tracked in OPS-1182' },
    why: 'batch hosts running out of memory, known',
  },
  { log: 'reports/x86-mce-corrected-memory-qemu-inject.log', hosts: /^cache-03$/, everyHours: 14, fromHoursAgo: 300, toHoursAgo: 3, why: 'one host with a failing DIMM' },
  { log: 'serve/syzkaller-report-10.log', hosts: /^web-/, everyHours: 70, fromHoursAgo: 320, toHoursAgo: 30, why: 'a rare kernel bug across the web tier' },
  { log: 'serve/syzkaller-report-150.log', hosts: /^(web|edge)-/, everyHours: 26, fromHoursAgo: 330, toHoursAgo: 5, why: 'a steady WARNING' },
  {
    log: 'serve/syzkaller-report-250.log',
    hosts: /^(web|batch)-/,
    everyHours: 60,
    fromHoursAgo: 330,
    toHoursAgo: 30,
    storm: { count: 32, hours: 18 },
    why: 'a storm: a rare deadlock that suddenly fires everywhere (a rate jump)',
  },
  {
    log: 'serve/syzkaller-report-140.log',
    hosts: /^(web|batch)-/,
    everyHours: 6,
    fromHoursAgo: 56,
    toHoursAgo: 1,
    onRelease: '6.1.0-27-amd64',
    why: 'a regression: new on the newest kernel',
  },
  {
    log: 'serve/syzkaller-report-160.log',
    hosts: /^(web|cache)-/,
    everyHours: 30,
    fromHoursAgo: 330,
    toHoursAgo: 8,
    onRelease: '6.1.0-25-amd64|6.1.0-26-amd64',
    triage: { hoursAgo: 150, status: 'fixed', fixedIn: '6.1.0-27-amd64', note: 'fixed upstream; backported in the 6.1.0-27 update' },
    cameBack: { release: '6.1.0-27-amd64', hoursAgo: 6, host: 'web-04' },
    why: 'fixed in 6.1.0-27, still seen on older kernels (expected), then back on 6.1.0-27',
  },
  { log: 'reports/x86-warning-panic-on-warn-udf-rmdir.log', hosts: /^cache-/, everyHours: 4, fromHoursAgo: 20, toHoursAgo: 1, why: 'new today: a filesystem WARNING on the cache tier' },
  { log: 'reports/x86-unexpected-reboot-seabios.log', hosts: /^edge-/, everyHours: 90, fromHoursAgo: 320, toHoursAgo: 10, why: 'edge hosts that reset without a trace' },
];

/** Hosts that rebooted without a crash report (the agent's events). */
export const DEMO_UNEXPECTED_REBOOTS: readonly { host: string; hoursAgo: number }[] = [
  { host: 'edge-02', hoursAgo: 100 },
  { host: 'edge-02', hoursAgo: 30 },
  { host: 'edge-04', hoursAgo: 12 },
  { host: 'cache-03', hoursAgo: 50 },
  { host: 'web-09', hoursAgo: 4 },
];

/** Storage trouble before crashes: the precursors of this log, on this host. */
export const DEMO_PRECURSORS = { log: 'reports/x86-ext4-io-errors-remount-ro-blkdebug.log', host: 'db-02', hoursAgo: 20 } as const;
