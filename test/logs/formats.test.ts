import { describe, expect, it } from 'vitest';
import type { InputFormat, LogLine } from '../../src/logs/log-line.js';
import { atLine, fixture, readAll } from './helpers.js';

/** Expected values of the LogLines read from one physical line (`index` when it gave several). */
interface LineCheck {
  line: number;
  index?: number;
  expect: Partial<LogLine>;
}
interface FixtureCase {
  file: string;
  /** Forced format; otherwise the case checks what was sniffed. */
  force?: InputFormat;
  format: string;
  lines: number;
  checks: LineCheck[];
}

const LINUX_618 =
  'Linux version 6.18.44-fc-v669 (builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0';
const CPPC1 = 'amd_pstate: The CPPC feature is supported but currently disabled by the BIOS.';
const CPPC2 = 'Please enable it if your BIOS has the CPPC option.';
const RCU = 'rcu: \tRCU restricting CPUs from NR_CPUS=256 to nr_cpu_ids=2.';
const TRAPS = 'traps: node[25624] trap int3 ip:2155a72 sp:7fff8979d3d0 error:0 in node[1d55a72,b72000+1a8c000]';
const BLOB_TEXT = 'ktriage-fixture: bytes \ufffd\ufffd and escape bold end';

const cases: FixtureCase[] = [
  {
    file: 'dmesg-plain.txt',
    format: 'console',
    lines: 351,
    checks: [
      { line: 1, expect: { text: LINUX_618, ts: 0, caller: undefined, level: undefined } },
      { line: 3, expect: { text: "[Firmware Bug]: TSC doesn't count with P0 frequency!", ts: 0 } },
      { line: 91, expect: { text: RCU, ts: 0.241886 } },
      { line: 287, expect: { text: CPPC1, ts: 0.425995 } },
      { line: 288, expect: { text: CPPC2, ts: 0.425995 } },
      { line: 346, expect: { text: 'ktriage-fixture: bytes \\xff\\xfe and escape \\x1b[1mbold\\x1b[0m end', ts: 218.352529 } },
      { line: 351, expect: { text: TRAPS, ts: 851.315453 } },
    ],
  },
  {
    file: 'dmesg-raw.txt',
    format: 'console',
    lines: 351,
    checks: [
      { line: 1, expect: { text: LINUX_618, ts: 0, level: 5, facility: 0 } },
      { line: 3, expect: { text: "[Firmware Bug]: TSC doesn't count with P0 frequency!", level: 4, facility: 0 } },
      { line: 288, expect: { text: CPPC2, ts: 0.425995, level: 4 } },
      { line: 351, expect: { text: TRAPS, level: 6, facility: 0 } },
    ],
  },
  {
    file: 'dmesg-T.txt',
    format: 'dmesg-human',
    lines: 351,
    checks: [
      { line: 1, expect: { text: LINUX_618, wallTime: '2026-11-23T00:10:02', ts: undefined } },
      { line: 288, expect: { text: CPPC2, wallTime: '2026-11-23T00:10:02' } },
      { line: 351, expect: { text: TRAPS, wallTime: '2026-11-23T00:24:13' } },
    ],
  },
  {
    file: 'dmesg-iso.txt',
    format: 'dmesg-human',
    lines: 351,
    checks: [
      { line: 91, expect: { text: RCU, wallTime: '2026-11-23T00:10:02.241886+00:00' } },
      { line: 288, expect: { text: CPPC2, wallTime: '2026-11-23T00:10:02.425995+00:00' } },
    ],
  },
  {
    file: 'dmesg-x.txt',
    format: 'dmesg-human',
    lines: 351,
    checks: [
      { line: 3, expect: { text: "[Firmware Bug]: TSC doesn't count with P0 frequency!", ts: 0, level: 4, facility: 0 } },
      { line: 287, expect: { text: CPPC1, ts: 0.425995, level: 4, facility: 0 } },
      { line: 288, expect: { text: CPPC2, ts: 0.425995, level: 4, facility: 0 } },
      { line: 347, expect: { text: 'ktriage-fixture: a crit-level line written to /dev/kmsg from userspace', level: 2, facility: 1 } },
      { line: 348, expect: { text: 'systemd-journald[5132]: Received client request to flush runtime journal.', level: 6, facility: 5 } },
    ],
  },
  {
    file: 'kmsg.txt',
    format: 'kmsg',
    lines: 351,
    checks: [
      { line: 1, expect: { text: LINUX_618, ts: 0, seq: 0, level: 5, facility: 0 } },
      { line: 91, expect: { text: RCU, ts: 0.241886, seq: 90, level: 6 } },
      { line: 353, index: 0, expect: { text: CPPC1, ts: 0.425995, seq: 286, level: 4 } },
      { line: 353, index: 1, expect: { text: CPPC2, ts: 0.425995, seq: 286, level: 4 } },
      { line: 413, expect: { text: BLOB_TEXT, ts: 218.352529, seq: 344, level: 4, facility: 1 } },
      { line: 418, expect: { text: TRAPS, ts: 851.315453, seq: 349, level: 6, facility: 0 } },
    ],
  },
  {
    file: 'journal-short.out',
    format: 'journal-short',
    lines: 347,
    checks: [
      { line: 1, expect: { text: LINUX_618, wallTime: '--11-23T00:13:26', host: 'vm', ts: undefined } },
      { line: 288, expect: { text: CPPC2, wallTime: '--11-23T00:13:26', host: 'vm' } },
      { line: 346, expect: { text: 'ktriage-fixture: [28B blob data]', wallTime: '--11-23T00:13:40' } },
    ],
  },
  {
    file: 'journal-short-precise.out',
    format: 'journal-short',
    lines: 347,
    checks: [{ line: 347, expect: { text: 'ktriage-fixture: a crit-level line written to /dev/kmsg from userspace', wallTime: '--11-23T00:13:40.400226', host: 'vm' } }],
  },
  {
    file: 'journal-short-iso.out',
    format: 'journal-short',
    lines: 347,
    checks: [{ line: 287, expect: { text: CPPC1, wallTime: '2026-11-23T00:13:26+00:00', host: 'vm' } }],
  },
  {
    file: 'journal-short-iso-precise.out',
    format: 'journal-short',
    lines: 347,
    checks: [{ line: 288, expect: { text: CPPC2, wallTime: '2026-11-23T00:13:26.097155+00:00', host: 'vm' } }],
  },
  {
    file: 'journal-short-monotonic.out',
    format: 'journal-short',
    lines: 347,
    checks: [
      // journalctl's short styles print a TAB as spaces.
      { line: 91, expect: { text: 'rcu:         RCU restricting CPUs from NR_CPUS=256 to nr_cpu_ids=2.', ts: 0.241886, host: 'vm', wallTime: undefined } },
      { line: 288, expect: { text: CPPC2, ts: 0.425995, host: 'vm' } },
    ],
  },
  {
    file: 'journal-short-full.out',
    format: 'journal-short',
    lines: 349,
    checks: [
      { line: 1, expect: { text: LINUX_618, wallTime: '2026-11-23T00:13:26Z', host: 'vm' } },
      { line: 348, expect: { text: 'systemd-journald[5132]: Received client request to flush runtime journal.', wallTime: '2026-11-23T00:13:57Z' } },
    ],
  },
  {
    file: 'journal-short-unix.out',
    format: 'journal-short',
    lines: 349,
    checks: [{ line: 1, expect: { text: LINUX_618, wallTime: '2026-11-23T00:13:26.090089Z', host: 'vm' } }],
  },
  {
    // journalctl's own `-- No entries --` is not a log line.
    file: 'journal-short-no-entries.out',
    format: 'journal-short',
    lines: 0,
    checks: [],
  },
  {
    file: 'journal-short-forum-rpi.txt',
    format: 'journal-short',
    lines: 33,
    checks: [
      { line: 2, expect: { text: 'Booting Linux on physical CPU 0x0', host: 'raspberrypi', wallTime: '--02-14T05:11:59' } },
      { line: 13, expect: { text: '  DMA      [mem 0x0000000000000000-0x000000002fffffff]' } },
      { line: 33, expect: { text: 'Please use sysfs to set IO scheduler for individual devices.', host: 'raspberrypi' } },
    ],
  },
  {
    file: 'journal-json.out',
    format: 'journal-json',
    lines: 347,
    checks: [
      {
        line: 1,
        expect: {
          text: LINUX_618,
          ts: 0,
          wallTime: '2026-11-23T00:13:26.090089Z',
          level: 5,
          facility: 0,
          host: 'vm',
          boot: '5c69bc4270f9436ab63d23293b43fb62',
          seq: undefined,
        },
      },
      { line: 287, index: 0, expect: { text: CPPC1, ts: 0.425995, level: 4 } },
      { line: 287, index: 1, expect: { text: CPPC2, ts: 0.425995, level: 4 } },
      { line: 345, expect: { text: BLOB_TEXT, ts: 218.352529, level: 4, facility: 1, wallTime: '2026-11-23T00:13:40.400115Z' } },
    ],
  },
  {
    file: 'journal-export.out',
    format: 'journal-export',
    lines: 347,
    checks: [
      { line: 1, expect: { text: LINUX_618, ts: 0, wallTime: '2026-11-23T00:13:26.090089Z', level: 5, host: 'vm', boot: '5c69bc4270f9436ab63d23293b43fb62' } },
      { line: 287, index: 1, expect: { text: CPPC2, ts: 0.425995 } },
      { line: 345, expect: { text: BLOB_TEXT, ts: 218.352529, level: 4, facility: 1 } },
      { line: 346, expect: { text: 'ktriage-fixture: a crit-level line written to /dev/kmsg from userspace', level: 2 } },
    ],
  },
  {
    file: 'syslog-rsyslog-traditional.log',
    format: 'syslog',
    lines: 433,
    checks: [
      { line: 1, expect: { text: LINUX_618, ts: 0, host: 'vm', wallTime: '--11-23T00:14:44' } },
      { line: 91, expect: { text: RCU, ts: 0.241886, host: 'vm' } },
      { line: 346, expect: { text: 'panic-lab: TRIGGER crashtype=BUG via: echo BUG > /sys/kernel/debug/provoke-crash/DIRECT', ts: 4.040811, host: 'lab-a' } },
      { line: 355, expect: { text: 'Call Trace:', host: 'lab-b', ts: undefined } },
      { line: 357, expect: { text: ' <TASK>', host: 'lab-b' } },
      { line: 359, expect: { text: ' dump_stack_lvl+0x44/0x5c', host: 'lab-b' } },
    ],
  },
  {
    file: 'syslog-rsyslog-precise.log',
    format: 'syslog',
    lines: 433,
    checks: [
      { line: 1, expect: { text: LINUX_618, ts: 0, host: 'vm', wallTime: '2026-11-23T00:14:44.792784+00:00' } },
      { line: 368, expect: { text: 'RDX: 0000000000000000 RSI: 00000000ffffefff RDI: ffffffffc05ece30', ts: 4.058573, host: 'lab-a', wallTime: '2026-11-23T00:14:51+00:00' } },
      { line: 359, expect: { text: ' dump_stack_lvl+0x44/0x5c', host: 'lab-b' } },
    ],
  },
  {
    file: 'syslog-rsyslog-rfc5424.log',
    format: 'syslog',
    lines: 433,
    checks: [
      { line: 1, expect: { text: LINUX_618, ts: 0, level: 5, facility: 0, host: 'vm', wallTime: '2026-11-23T00:14:44.792784+00:00' } },
      { line: 346, expect: { text: 'panic-lab: TRIGGER crashtype=BUG via: echo BUG > /sys/kernel/debug/provoke-crash/DIRECT', ts: 4.040811, level: 4, facility: 1, host: 'lab-a' } },
      // rsyslog keeps the space after `kernel:` of a relayed RFC 3164 message in MSG.
      { line: 359, expect: { text: '  dump_stack_lvl+0x44/0x5c', level: 3, host: 'lab-b' } },
    ],
  },
  {
    file: 'syslog-logger-wire-rfc3164.log',
    format: 'syslog',
    lines: 26,
    checks: [
      { line: 1, expect: { text: 'lkdtm: Performing direct entry PANIC', level: 3, facility: 1, host: 'lab-b', wallTime: '--11-23T00:15:54' } },
      { line: 6, expect: { text: ' <TASK>', host: 'lab-b' } },
    ],
  },
  {
    file: 'syzkaller-console-1000.log',
    format: 'console',
    lines: 33,
    checks: [
      { line: 1, expect: { text: 'INFO: t', ts: 584.31952, caller: 'T31' } },
      { line: 2, expect: { text: '** replaying previous printk message **', ts: undefined, caller: undefined } },
      { line: 4, expect: { text: '      Tainted: G             L      syzkaller #0', ts: 584.319554, caller: 'T31' } },
    ],
  },
  {
    file: 'syzkaller-console-391.log',
    format: 'console',
    lines: 136,
    checks: [
      { line: 2, expect: { text: 'BUG: KASAN: use-after-free in refcount_inc_not_zero_checked+0x81/0x200', ts: 334.239022, caller: 'T12837' } },
      { line: 4, expect: { text: '', ts: 334.255675, caller: 'T12837' } },
    ],
  },
  {
    file: 'syzkaller-console-348.log',
    format: 'console',
    lines: 52,
    checks: [{ line: 1, expect: { text: 'FAULT_INJECTION: forcing a failure.', ts: 602.265237, caller: 'C1' } }],
  },
  {
    file: 'syzkaller-console-443.log',
    format: 'console',
    lines: 159,
    checks: [
      { line: 2, expect: { text: '      Not tainted 4.4.196+ #0', ts: 702.098581 } },
      // A continuation line run into the next message on one console line: two kernel lines,
      // both from physical line 27.
      { line: 27, expect: { text: ' 0000000000120018', ts: 703.52791 } },
      { line: 27, index: 1, expect: { text: 'net_ratelimit: 7720 callbacks suppressed', ts: 703.530883 } },
    ],
  },
  {
    file: 'syzkaller-console-239.log',
    format: 'console',
    lines: 15,
    checks: [
      // Raw control bytes of a corrupted task name are removed; invalid UTF-8 stays visible as U+FFFD.
      { line: 3, expect: { text: 'corrupted preempt_count: Yl\ufffd\ufffd\ufffd`\ufffd\ufffd0\ufffd\ufffd/-534549613/0x97aa0000' } },
    ],
  },
  {
    file: 'syzkaller-console-317.log',
    format: 'console',
    lines: 1137,
    checks: [{ line: 1136, expect: { text: '[info] Using makefile-style concurrent boot in runlevel S.', ts: undefined } }],
  },
  {
    file: 'lab-bug-console.log',
    format: 'console',
    lines: 396,
    checks: [
      { line: 338, expect: { text: 'kernel BUG at drivers/misc/lkdtm/bugs.c:78!', ts: 4.05372 } },
      { line: 353, expect: { text: 'Call Trace:', ts: 4.060206 } },
      { line: 354, expect: { text: ' <TASK>', ts: 4.06092 } },
      { line: 396, expect: { text: 'Kernel panic - not syncing: Fatal exception', ts: 4.070013 } },
    ],
  },
  {
    file: 'lab-oom-console.log',
    format: 'console',
    lines: 465,
    checks: [{ line: 390, expect: { text: ' active_file:0 inactive_file:0 isolated_file:0', ts: 5.016248 } }],
  },
  {
    file: 'lab-exception-kdump-console.log',
    format: 'console',
    lines: 733,
    checks: [
      { line: 1, expect: { ts: 0 } },
      { line: 382, expect: { ts: 0 } },
    ],
  },
  {
    // vmcore-dmesg prints the further lines of a record bare: sniffed as console they have no ts…
    file: 'lab-oom-vmcore-dmesg.txt',
    format: 'console',
    lines: 479,
    checks: [{ line: 404, expect: { text: ' active_file:0 inactive_file:0 isolated_file:0', ts: undefined } }],
  },
  {
    // …read as vmcore-dmesg they continue their record.
    file: 'lab-oom-vmcore-dmesg.txt',
    force: 'vmcore-dmesg',
    format: 'vmcore-dmesg',
    lines: 479,
    checks: [
      { line: 403, expect: { text: 'active_anon:503 inactive_anon:16669 isolated_anon:0', ts: 5.016248 } },
      { line: 404, expect: { text: ' active_file:0 inactive_file:0 isolated_file:0', ts: 5.016248 } },
    ],
  },
  {
    // makedumpfile indents them to the prefix width, like dmesg.
    file: 'lab-oom-makedumpfile-dmesg.txt',
    format: 'console',
    lines: 479,
    checks: [{ line: 404, expect: { text: ' active_file:0 inactive_file:0 isolated_file:0', ts: 5.016248 } }],
  },
  {
    file: 'lab-exception-kdump-guest-vmcore-dmesg.txt',
    force: 'vmcore-dmesg',
    format: 'vmcore-dmesg',
    lines: 396,
    checks: [{ line: 1, expect: { ts: 0 } }],
  },
  {
    file: 'tty-script-dmesg-color.log',
    format: 'console',
    lines: 62,
    checks: [
      // Colour codes around the prefix are gone, so the prefix is parsed.
      { line: 2, expect: { text: LINUX_618, ts: 0 } },
      { line: 3, expect: { ts: 0 } },
      { line: 4, expect: { text: "[Firmware Bug]: TSC doesn't count with P0 frequency!", ts: 0 } },
      // dd's progress: one physical line, four lines separated by lone CRs.
      { line: 42, index: 0, expect: { text: '361758720 bytes (362 MB, 345 MiB) copied, 1 s, 361 MB/s' } },
      { line: 42, index: 3, expect: { text: '1412431872 bytes (1.4 GB, 1.3 GiB) copied, 4 s, 353 MB/s' } },
      { line: 45, expect: { text: '1572864000 bytes (1.6 GB, 1.5 GiB) copied, 4.50408 s, 349 MB/s' } },
    ],
  },
];

describe('every fixture: sniffed format, line count and decoded values', () => {
  it.each(cases.map((c) => [c.force ? `${c.file} as ${c.force}` : c.file, c] as const))('%s', async (_name, c) => {
    const { log, lines } = await readAll(fixture(c.file), c.force);
    expect(log.format).toBe(c.format);
    expect(lines).toHaveLength(c.lines);
    expect(log.stats).toEqual({ lines: c.lines });
    for (const check of c.checks) {
      const got = atLine(lines, check.line)[check.index ?? 0];
      expect(got, `${c.file}:${check.line}`).toBeDefined();
      // Only the fields named; `undefined` means absent (or present as undefined).
      const picked = Object.fromEntries(Object.keys(check.expect).map((k) => [k, got?.[k as keyof LogLine]]));
      expect(picked, `${c.file}:${check.line}`).toEqual(check.expect);
      expect(got?.origin).toEqual({ source: fixture(c.file), line: check.line });
    }
    // Nothing terminal-related survives in any text.
    for (const l of lines) expect(l.text).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f]/);
  });
});

describe('one kernel message, many formats', () => {
  it('gives the same text for the multi-line CPPC message in every capture of it', async () => {
    const texts: string[][] = [];
    for (const file of ['dmesg-plain.txt', 'dmesg-T.txt', 'dmesg-x.txt', 'dmesg-iso.txt', 'dmesg-raw.txt', 'kmsg.txt', 'journal-short.out', 'journal-json.out', 'journal-export.out']) {
      const { lines } = await readAll(fixture(file));
      const i = lines.findIndex((l) => l.text === CPPC1);
      texts.push([lines[i]?.text ?? '', lines[i + 1]?.text ?? '']);
    }
    for (const t of texts) expect(t).toEqual([CPPC1, CPPC2]);
  });

  it('gives the same text for the OOM report in the console and both dump tools', async () => {
    const body = async (file: string, format?: InputFormat): Promise<string[]> => {
      const { lines } = await readAll(fixture(file), format);
      const from = lines.findIndex((l) => l.text.startsWith('Mem-Info:'));
      return lines.slice(from, from + 12).map((l) => l.text);
    };
    const console = await body('lab-oom-console.log');
    expect(console[2]).toBe(' active_file:0 inactive_file:0 isolated_file:0');
    expect(await body('lab-oom-vmcore-dmesg.txt', 'vmcore-dmesg')).toEqual(console);
    expect(await body('lab-oom-makedumpfile-dmesg.txt')).toEqual(console);
  });
});
