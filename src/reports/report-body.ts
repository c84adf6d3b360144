/**
 * Shapes of the lines that make up the body of an oops-style report: the CPU/hardware lines,
 * registers, Code:, call-trace frames and the markers around them. A report that is not
 * free-form ends when lines stop having these shapes.
 */
const BODY_LINE =
  /^(?:\s|CPU: |CPU \d|Hardware name:|Workqueue:|RIP:|EIP:|IP: |RSP:|ESP:|R[A-Z0-9]{1,3}: |E[A-Z]{2}: |[C-GS]S: |CR[0-4]: |DR[0-7]: |PKRU: |Code: |Call [Tt]race|Stack:|Backtrace|Exception stack|<\/?[A-Z]+>|Modules linked in|\[last unloaded|---\[ |Kernel Offset|Rebooting in|Shutting down cpus|Dumping ftrace|\(ftrace buffer|pc : |lr : |sp : |x\d+ ?: |pstate: |PC is at|LR is at|pc : |psr: |r\d+ ?: |[fi]p : |Flags: |Control: |Table: |DAC: |Register r|NIP|LR \[|REGS:|MSR:|GPR\d|CFAR:|DEAR:|Instruction dump:|(?:[0-9a-f]{8} ){7}<?[0-9a-f]{8}|\[[0-9a-f]{8,16}\] \[[0-9a-f]{8,16}\] |IRQMASK|epc ?: |ra ?: |gp ?: |s\d+ ?: |t\d+ ?: |a\d+ ?: |status: |badaddr: |cause: |Mem abort info|  ESR|ESR = |EC = |SET = |FnV = |EA = |S1PTW = |FSC = |Data abort info|ISV = |CM = |WnR = |user pgtable|swapper pgtable|\[[0-9a-f]+\] pgd=|PGD |P4D |PUD |PMD |PTE |#PF|Oops|Internal error|Process |Tainted|\[<|Thread overran stack|task:\S+ +state:|INFO: lockdep is turned off|irq event stamp|hardirqs |softirqs |note: |Fixing recursive fault|NMI backtrace|Sending NMI|Showing |[0-9a-f]{3,8}: (?:[0-9a-f]{8}(?: |$)|\s{9}){1,8}|\S+\+0x[0-9a-f]+\/0x[0-9a-f]+)/;

export function looksLikeReportBody(text: string): boolean {
  return BODY_LINE.test(text);
}

/** A call-trace frame or the line that announces one (all architectures; powerpc's first frame is often a bare `0x… (unreliable)`). */
const FRAME_LINE =
  /^\s*(?:Call [Tt]race:|Backtrace:|(?:\[<[0-9a-f]{6,}>\] ?)+\(?[\w.$]+|(?:\[[0-9a-f]{6,}\] ){1,2}[\w.$]+\+0x|(?:\[[0-9a-f]{6,}\] ){2}0x[0-9a-f]+ \(unreliable\)|(?:\? )?[\w.$]+\+0x[0-9a-f]+\/0x[0-9a-f]+|[\w.$]+ (?:\S+\.[chS]:\d+|\[inline\]))/;

export function looksLikeFrame(text: string): boolean {
  return FRAME_LINE.test(text);
}

/** Marks the end of an oops or WARNING (`---[ end trace 0000000000000000 ]---`). */
export const END_OF_TRACE = /^---\[ end (?:trace|Kernel panic)/;

/** Lines printed just before a report's header that belong to it. */
export const REPORT_PRELUDE = /^-{8,}\[ cut here \]-{8,}|^={20,}\s*$|^8<-+ cut here -+|^kernel tried to execute NX-protected page|^unable to execute userspace code/;

/** A new boot started in this stream (kernel, firmware or boot-loader banner). */
export const BOOT_BANNER = /^Linux version \d|^SeaBIOS \(version|^Booting from (?:Hard Disk|ROM)|^EFI stub: |^Decompressing Linux|^Booting the kernel\.$/;

/** The kernel's last words on an orderly restart, halt or kexec: the next boot is not unexpected. */
export const CLEAN_SHUTDOWN = /^reboot: (?:Restarting system|Power down|System halted)|^kexec_core: Starting new kernel|^ACPI: PM: Preparing to enter system sleep state S5|^Restarting system\.?$|^System halted\.?$/;
