/**
 * The kernel globals BTF does not type (it types only per-CPU variables): name and C type, as
 * drgn's BTF helpers declare them. Arrays are declared by their element type and read with
 * `index`; a global missing from a kernel is simply absent from its kallsyms.
 */
export const GLOBAL_DECLARATIONS: Readonly<Record<string, string>> = {
  init_task: 'struct task_struct',
  init_uts_ns: 'struct uts_namespace',
  modules: 'struct list_head',
  btf_modules: 'struct list_head',
  __per_cpu_offset: 'unsigned long',
  __cpu_online_mask: 'unsigned long',
  nr_cpu_ids: 'unsigned int',
  crash_notes: 'unsigned long',
  panic_cpu: 'atomic_t',
  _totalram_pages: 'atomic_long_t',
  totalreserve_pages: 'unsigned long',
  vm_zone_stat: 'atomic_long_t',
  vm_node_stat: 'atomic_long_t',
  vm_numa_event: 'atomic_long_t',
  avenrun: 'unsigned long',
  jiffies_64: 'u64',
  total_swap_pages: 'long',
  nr_swap_pages: 'atomic_long_t',
  vm_committed_as: 'struct percpu_counter',
  sysctl_overcommit_ratio: 'int',
  sysctl_overcommit_kbytes: 'unsigned long',
  hstates: 'struct hstate',
  hugetlb_max_hstate: 'int',
  blockdev_superblock: 'struct super_block *',
  init_pid_ns: 'struct pid_namespace',
  tainted_mask: 'unsigned long',
  cpu_khz: 'unsigned int',
  tsc_khz: 'unsigned int',
};
