/** The inspection subcommands of `ktriage vmcore` (kept apart: `vmcore dmesg` does not load them). */
export const INSPECT_USAGE = `       ktriage vmcore bt [-a] DUMP [PID...]   backtrace of the panic task, every CPU (-a) or tasks
       ktriage vmcore ps [--state S] DUMP     every task (S: crash's RU/IN/UN/… or ps's R/S/D/…)
       ktriage vmcore foreach DUMP            backtrace of every task in D state (hung-task suspects)
       ktriage vmcore mod DUMP                loaded modules with base, size and taint flags
       ktriage vmcore sys DUMP                machine, release, uptime, load, memory, panic
       ktriage vmcore kmem -i DUMP            where the memory went (crash's kmem -i)
       ktriage vmcore files DUMP PID          open files of a task
       ktriage vmcore struct DUMP TYPE ADDR   a structure's members, read through the dump's BTF
  These read the dump alone (Linux >= 6.0 with BTF: its kallsyms, BTF and ORC); --json for JSON.`;

/** Subcommands that read the kernel's own data structures. */
export const INSPECT_SUBCOMMANDS: ReadonlySet<string> = new Set(['bt', 'foreach', 'ps', 'mod', 'sys', 'kmem', 'files', 'struct']);
