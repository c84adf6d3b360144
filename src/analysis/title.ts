import type { CrashReport, ReportKind } from '../reports/crash-report.js';
import type { Culprit } from './culprit.js';
import { readableLines } from './readable-lines.js';

/**
 * One-line titles in the convention kernel developers know from syzbot: what happened, then
 * ` in ` and the culprit (`corrupted` when no frame could be blamed). One row per kind; a row
 * gets the report and returns the part before ` in `, or a whole title when it has no culprit.
 */
type TitleRule = (report: CrashReport) => string;

const KIND_TITLES: Partial<Record<ReportKind, TitleRule>> = {
  warning: (r) => `WARNING${warningFlavour(r)}`,
  kasan: (r) => `KASAN: ${sanitizerBug(r.header, 'KASAN')}${accessWord(r)}`,
  kfence: (r) => `KFENCE: ${sanitizerBug(r.header, 'KFENCE')}`,
  kmsan: (r) => `KMSAN: ${sanitizerBug(r.header, 'KMSAN')}`,
  'hung-task': (r) => (/ can't die /.test(r.header) ? "INFO: task can't die" : 'INFO: task hung'),
  ubsan: (r) => `UBSAN: ${/^UBSAN: ([\w-]+(?: [\w-]+)*?)(?: in |$)/.exec(r.header)?.[1]?.replace(/^Undefined behaviour$/, 'undefined-behaviour') ?? 'undefined-behaviour'}`,
  'null-pointer-dereference': () => 'BUG: unable to handle kernel NULL pointer dereference',
  'page-fault': (r) => (/^Unhandled fault/.test(r.header) ? 'Unhandled fault' : 'BUG: unable to handle kernel paging request'),
  'general-protection-fault': () => 'general protection fault',
  'kernel-bug': (r) => KERNEL_BUG_FILES.find(([re]) => re.test(r.header))?.[1] ?? 'kernel BUG',
  'invalid-opcode': () => 'invalid opcode',
  'divide-error': () => 'divide error',
  'stack-segment-fault': () => 'stack segment fault',
  'double-fault': () => 'PANIC: double fault',
  'stack-overflow': () => 'BUG: stack guard page was hit',
  'arm-oops': () => 'Internal error',
  'kernel-oops': () => 'Oops',
  'rcu-stall': () => 'INFO: rcu detected stall',
  'soft-lockup': () => 'BUG: soft lockup',
  'hard-lockup': () => 'BUG: hard lockup',
  'spinlock-lockup': (r) => headerWords(r.header, /^(BUG: (?:spinlock|rwlock) [\w ]+?)(?: on CPU#?\d|$|:)/) ?? 'BUG: spinlock lockup suspected',
  'scheduling-while-atomic': () => 'BUG: scheduling while atomic',
  'sleeping-in-atomic': () => 'BUG: sleeping function called from invalid context',
  'bad-page-state': (r) => headerWords(r.header, /^(BUG: Bad (?:page (?:state|map|cache)|rss-counter state))/) ?? 'BUG: Bad page state',
  'memory-leak': () => 'memory leak',
  'list-corruption': () => 'BUG: corrupted list',
  lockdep: (r) => lockdepTitle(r.header),
  'stack-protector': () => 'kernel panic: stack is corrupted',
  'slab-corruption': (r) => `BUG: ${/^BUG ([\w.:@-]+) \(/.exec(r.header)?.[1] ?? 'slab'} corruption`,
};

/** Kinds whose title is the whole message, never ` in ` a function. */
const NO_CULPRIT: Partial<Record<ReportKind, TitleRule>> = {
  panic: (r) => `kernel panic: ${normalize(panicMessage(r))}`,
  // KCSAN names both racing functions: `data-race in f / g`.
  kcsan: (r) => normalize(r.header.replace(/^BUG: /, '').replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/g, '')),
  'unexpected-reboot': () => 'unexpected kernel reboot',
  // Who asked for memory and who was killed differ every time; the event is the same.
  'oom-kill': () => 'out of memory',
  'machine-check': () => 'machine check',
  edac: (r) => (/ UE /.test(r.header) ? 'EDAC: uncorrected memory error' : 'EDAC: corrected memory error'),
};

/**
 * Headers whose title names no function: the message says it all. The title is a template on
 * the header's groups (`$1`); undefined: the header itself, normalised.
 */
const WHOLE_HEADER_TITLES: readonly [RegExp, string | undefined][] = [
  // 4.x KASAN named the function and address on the header line and nothing else.
  // The second half of the header was printed separately and lost.
  [/^BUG: unable to handle kernel(?! (?:paging request|NULL pointer dereference))/, 'BUG: unable to handle kernel'],
  // arm64 panics right after it; syzbot names it for the panic.
  [/^Bad mode in .* handler detected/, 'kernel panic: bad mode'],
  [/^WARNING: kernel stack regs at [0-9a-f]+ in \S* has bad '([^']+)' value/, "WARNING: kernel stack regs has bad '$1' value"],
  [/^WARNING: kernel stack frame pointer at [0-9a-f]+ in \S* has bad value/, 'WARNING: kernel stack frame pointer has bad value'],
  // The task name held a space: the details above could not be read.
  [/^WARNING: kernel stack (?:regs .* has bad 'bp' value|frame pointer .* has bad value)/, 'WARNING: kernel stack regs has bad value'],
  [/^BUG: non-zero (nr_ptes|nr_pmds) on freeing mm/, 'BUG: non-zero $1 on freeing mm'],
  [/^BUG \S+ \([^)]*\): Object already free|^BUG kmalloc-\S+: Object already free/, 'BUG: Object already free'],
  [/^VFS: Busy inodes after unmount/, 'VFS: Busy inodes after unmount (use-after-free)'],
  [/^BUG: Dentry .* still in use \(\d+\) \[(\w+)/, 'BUG: Dentry still in use in $1'],
  // syzkaller's own failures (the fuzzer, not the kernel) carry their message as title.
  [/(SYZ(?:FAIL|FATAL): .*)$/, '$1'],
  [/^unregister_netdevice: waiting for \S+ to become free/, 'unregister_netdevice: waiting for DEV to become free'],
  [/^BUG: workqueue lockup/, 'BUG: workqueue lockup'],
  [/^BUG: Bad rss-counter state/, 'BUG: Bad rss-counter state'],
  [/^BUG: Bad page map/, 'BUG: Bad page map'],
  [/^BUG: MAX_\w+ too low!/, undefined],
];

/** Panics whose reason is worth a culprit: the panic's trace shows where it struck. */
const PANICS_WITH_CULPRIT: Readonly<Record<string, string>> = {
  'stack-end-corrupted': 'kernel panic: corrupted stack end',
};

/**
 * What a report's title says before ` in `, or the whole title when it names no function.
 * The culprit is looked for only when `family` is set (frame-recipes.ts picks it per family).
 */
export type TitleShape = { family: string } | { whole: string };

export function titleShape(report: CrashReport): TitleShape {
  const whole = wholeTitle(report);
  return whole === undefined ? familyShape(report) : { whole: cap(whole) };
}

/**
 * Reports whose expected details never came: a KASAN header with no `Read/Write of size` line
 * after it, an RCU-usage report with no source line. The header is all there is to go on.
 */
function wholeTitle(report: CrashReport): string | undefined {
  if (report.kind === 'kasan' && report.memoryAccess?.access !== 'read' && report.memoryAccess?.access !== 'write' && !/double-free|invalid-free/.test(report.header))
    return normalize(report.header.replace(/^BUG: /, ''));
  if (/suspicious RCU usage/.test(report.header) && !readableLines(report).some((t) => SOURCE_LINE.test(t))) return normalize(report.header.replace(/^\[ |\s*\]$|\.$/g, ''));
  return undefined;
}

/** Bounded so a hostile 64 KiB line cannot make the search quadratic. */
const SOURCE_LINE = /[\w/.-]{1,200}\.[a-z]{1,8}:\d+/;

function familyShape(report: CrashReport): TitleShape {
  for (const [re, title] of WHOLE_HEADER_TITLES) {
    const m = re.exec(report.header);
    if (m) return { whole: cap(title === undefined ? normalize(report.header) : title.replace(/\$(\d)/g, (_, g: string) => m[Number(g)] ?? '')) };
  }
  const panicFamily = report.kind === 'panic' ? PANICS_WITH_CULPRIT[report.panic?.reason ?? ''] : undefined;
  if (panicFamily) return { family: panicFamily };
  const whole = NO_CULPRIT[report.kind];
  if (whole) return { whole: cap(whole(report)) };
  return { family: (KIND_TITLES[report.kind] ?? ((r: CrashReport) => genericFamily(r.header)))(report) };
}

export function titleOf(report: CrashReport, culprit: Culprit | undefined): string {
  const shape = titleShape(report);
  if ('whole' in shape) return shape.whole;
  // A WARNING inside a helper half the kernel calls names its caller and the helper.
  const helper = report.kind === 'warning' ? WARNING_IN_HELPER.exec(report.header)?.[1] : undefined;
  const where = culprit ? `${culprit.function}${helper && helper !== culprit.function ? `/${helper}` : ''}` : 'corrupted';
  return cap(`${shape.family} in ${where}`);
}

/** BUG_ON()s in checking code are about what was checked. */
const KERNEL_BUG_FILES: readonly [RegExp, string][] = [
  [/kernel BUG at lib\/list_debug\.c/, 'BUG: corrupted list'],
  [/kernel BUG at mm\/usercopy\.c/, 'BUG: bad usercopy'],
];

/** Helpers whose WARNINGs are the caller's bug: `WARNING in shark_write_val/usb_submit_urb`. */
const WARNING_IN_HELPER = / (usb_submit_urb)\+0x/;

/** WARNINGs whose source file says what kind of check fired (debugobjects, refcount, …). */
const WARNING_FLAVOURS: readonly [RegExp, string][] = [
  [/^lib\/debugobjects\.c$/, ': ODEBUG bug'],
  [/^lib\/refcount\.c$/, ': refcount bug'],
  [/^kernel\/locking\/lockdep\.c$/, ': locking bug'],
  [/^lib\/kobject\.c$/, ': kobject bug'],
  [/^mm\/usercopy\.c$/, ': bad usercopy'],
  [/^mm\/util\.c$|^mm\/slab_common\.c$/, ': kmalloc bug'],
];

/** WARNINGs whose location says which check fired, more precisely than the file. */
const WARNING_SITES: readonly [RegExp, string][] = [
  [/ at mm\/vmalloc\.c:\d+ __vmalloc_node(?:_range)?\+/, ': zero-size vmalloc'],
  // An allocator's own sanity check (size too large, bad flags) fired in mm/.
  [/ at mm\/[\w/.-]+\.c:\d+ k?.?malloc/, ': kmalloc bug'],
  [/ at fs\/proc\/generic\.c:\d+ proc_register/, ': proc registration bug'],
];

function warningFlavour(r: CrashReport): string {
  const site = WARNING_SITES.find(([re]) => re.test(r.header))?.[1];
  if (site) return site;
  const file = String(r.details['sourceFile'] ?? '');
  return WARNING_FLAVOURS.find(([re]) => re.test(file))?.[1] ?? '';
}

/** `BUG: KASAN: slab-use-after-free in …` → `slab-use-after-free`. */
function sanitizerBug(header: string, tool: string): string {
  const bug = new RegExp(`^BUG: ${tool}: ([\\w:. -]+?)(?: in |$)`).exec(header)?.[1] ?? 'bug';
  // Older KASAN could not tell the two apart; syzbot titles them as the wider one.
  return bug === 'double-free or invalid-free' ? 'invalid-free' : bug;
}

/** ` Read` / ` Write` for KASAN, from `Read of size 8 at addr …`. */
function accessWord(r: CrashReport): string {
  const access = r.memoryAccess?.access;
  if (access === 'read') return ' Read';
  if (access === 'write') return ' Write';
  return '';
}

const LOCKDEP_TITLES: readonly [RegExp, string][] = [
  [/possible circular locking dependency|possible recursive locking/, 'possible deadlock'],
  [/inconsistent lock state/, 'inconsistent lock state'],
  [/possible irq lock inversion|-safe -> .*-unsafe lock order/, 'possible deadlock'],
  [/^\[? ?INFO: suspicious RCU usage/, 'INFO: suspicious RCU usage'],
  [/suspicious RCU usage/, 'WARNING: suspicious RCU usage'],
  [/bad unlock balance/, 'WARNING: bad unlock balance'],
  [/held lock freed/, 'WARNING: held lock freed'],
  [/lock held when returning to user space/, 'WARNING: lock held when returning to user space'],
  [/[Nn]ested lock was not taken/, 'WARNING: nested lock was not taken'],
  [/still has locks held/, 'WARNING: still has locks held'],
  [/trying to register non-static key/, 'INFO: trying to register non-static key'],
  [/locking bug/, 'WARNING: locking bug'],
];

const OLD_BUG_TITLES = /bad unlock balance|held lock freed|still has locks held|lock held when returning/;

function lockdepTitle(header: string): string {
  const found = LOCKDEP_TITLES.find(([re]) => re.test(header))?.[1] ?? 'WARNING: locking bug';
  // Old kernels print `[ BUG: … ]` where new ones print `WARNING: …`; syzbot kept the old word
  // for the lock-ownership reports only.
  return /^\[ BUG: /.test(header) && OLD_BUG_TITLES.test(found) ? found.replace(/^WARNING: /, 'BUG: ') : found;
}

/** The panic message without its trailing ` ...` and full stop (`panic_on_warn set ...`). */
function panicMessage(r: CrashReport): string {
  const message = (r.panic?.message ?? r.header.replace(/^Kernel panic - not syncing: /, '')).replace(/(?:\s*\.\.\.|\.)\s*$/, '').replace(/^kernel: /, '');
  return PANIC_MESSAGES.find(([re]) => re.test(message))?.[1] ?? message;
}

/** Panic messages whose tail names a device or error code that differs from one run to the next. */
const PANIC_MESSAGES: readonly [RegExp, string][] = [
  [/^Couldn't open N_TTY ldisc/, "Couldn't open N_TTY ldisc"],
  [/^Attempted to kill init!/, 'Attempted to kill init!'],
];

function headerWords(header: string, re: RegExp): string | undefined {
  return re.exec(header)?.[1]?.trim();
}

/** The header's words up to its first colon-separated detail: `BUG: workqueue lockup - pool …` → `BUG: workqueue lockup`. */
function genericFamily(header: string): string {
  const h = header.trim();
  const preemptible = /^(BUG: using \S+ in preemptible) \[[0-9a-f]+\] code/.exec(h);
  if (preemptible) return `${preemptible[1]} code`;
  const m = /^((?:BUG|WARNING|INFO): [^:!(\[]+?)(?:[:!(\[-]| - |$)/.exec(h);
  return normalize(m?.[1]?.trim() ?? h);
}

/** syzbot's normalisation of variable parts, so equal crashes get equal titles. */
export function normalize(text: string): string {
  return text
    .replace(/\b([A-Za-z_][\w.]{0,200})\+0x[0-9a-f]+\/0x[0-9a-f]+/g, '$1')
    .replace(/\bsyz-executor\.?\d+(?:[/:]\d+)?/g, 'syz-executor')
    .replace(/\bCPU#\d+/g, 'CPU')
    .replace(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, 'IP')
    .replace(/\b(?:0x)?[0-9a-f]{6,}\b/g, 'ADDR')
    .replace(/\b[\w/.-]{1,200}\.[ch]:\d+\b/g, (m) => m.replace(/:\d+$/, ':LINE'))
    .replace(/\b\d+\b/g, 'NUM')
    .replace(/\s+/g, ' ')
    .trim();
}

function cap(title: string): string {
  return title.length > 120 ? title.slice(0, 120) : title;
}
