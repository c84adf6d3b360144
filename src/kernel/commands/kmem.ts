import type { KernelView } from '../kernel-view.js';
import { totalRamPages, vmStat } from './memory-counters.js';

/** One row of `kmem -i`: pages, and the total it is a share of (crash's "% of TOTAL …"). */
export interface KmemRow {
  label: string;
  pages?: number;
  of?: 'TOTAL MEM' | 'TOTAL HUGE' | 'TOTAL SWAP' | 'TOTAL LIMIT';
  /** Starts a new group (crash prints a blank line before it). */
  group?: boolean;
}

export interface KmemInfo {
  pageSize: number;
  rows: KmemRow[];
}


/** `kmem -i`: the kernel's own memory counters, in crash's rows and order (memory.c dump_kmeminfo). */
export function kmemInfo(view: KernelView): KmemInfo {
  const read = <T,>(what: string, fn: () => T | undefined): T | undefined => {
    try {
      const v = fn();
      if (v === undefined) view.unknowns.push(what);
      return v;
    } catch {
      view.unknowns.push(what);
      return undefined;
    }
  };
  const total = read('_totalram_pages', () => totalRamPages(view));
  const free = read('NR_FREE_PAGES', () => vmStat(view, 'vm_zone_stat', 'NR_FREE_PAGES'));
  const shared = read('NR_SHMEM', () => vmStat(view, 'vm_node_stat', 'NR_SHMEM'));
  const buffers = read('block device pages', () => blockdevPages(view));
  const file = read('NR_FILE_PAGES', () => vmStat(view, 'vm_node_stat', 'NR_FILE_PAGES'));
  const swapCache = read('NR_SWAPCACHE', () => vmStat(view, 'vm_node_stat', 'NR_SWAPCACHE') ?? vmStat(view, 'vm_zone_stat', 'NR_SWAPCACHE'));
  const slab = read('slab pages', () => {
    const r = vmStat(view, 'vm_node_stat', 'NR_SLAB_RECLAIMABLE_B');
    const u = vmStat(view, 'vm_node_stat', 'NR_SLAB_UNRECLAIMABLE_B');
    return r === undefined || u === undefined ? undefined : r + u;
  });
  const huge = read('hstates', () => hugePages(view));
  const swapTotal = read('total_swap_pages', () => view.global('total_swap_pages').number());
  const swapFree = read('nr_swap_pages', () => view.global('nr_swap_pages').number());
  const committed = read('vm_committed_as', () => Math.max(0, view.global('vm_committed_as').member('count').number()));
  const limit = read('the commit limit', () => commitLimit(view, total, huge?.total, swapTotal));
  const minus = (a: number | undefined, ...b: (number | undefined)[]): number | undefined => (a === undefined || b.some((x) => x === undefined) ? undefined : Math.max(0, a - b.reduce<number>((s, x) => s + (x as number), 0)));
  const rows: KmemRow[] = [
    { label: 'TOTAL MEM', pages: total },
    { label: 'FREE', pages: free, of: 'TOTAL MEM' },
    { label: 'USED', pages: minus(total, free), of: 'TOTAL MEM' },
    { label: 'SHARED', pages: shared, of: 'TOTAL MEM' },
    { label: 'BUFFERS', pages: buffers, of: 'TOTAL MEM' },
    { label: 'CACHED', pages: minus(file, swapCache, buffers), of: 'TOTAL MEM' },
    { label: 'SLAB', pages: slab, of: 'TOTAL MEM' },
    { label: 'TOTAL HUGE', pages: huge?.total, group: true },
    { label: 'HUGE FREE', pages: huge?.free, of: 'TOTAL HUGE' },
    { label: 'TOTAL SWAP', pages: swapTotal, group: true },
    { label: 'SWAP USED', pages: minus(swapTotal, swapFree), of: 'TOTAL SWAP' },
    { label: 'SWAP FREE', pages: swapFree, of: 'TOTAL SWAP' },
    { label: 'COMMIT LIMIT', pages: limit, group: true },
    { label: 'COMMITTED', pages: committed, of: 'TOTAL LIMIT' },
  ];
  return { pageSize: 4096, rows: rows.map((r) => (r.pages === undefined ? withoutPages(r) : r)) };
}

function withoutPages(r: KmemRow): KmemRow {
  const { pages: _p, ...rest } = r;
  return rest;
}

/** nr_blockdev_pages(): the page cache of every block device inode (crash's BUFFERS). */
function blockdevPages(view: KernelView): number {
  const sb = view.global('blockdev_superblock').deref();
  let pages = 0;
  for (const inode of view.listEntries(sb.member('s_inodes'), 'struct inode', 'i_sb_list')) {
    const mapping = inode.member('i_mapping').deref();
    pages += mapping.member('nrpages').number();
  }
  return pages;
}

function hugePages(view: KernelView): { total: number; free: number } {
  const count = view.global('hugetlb_max_hstate').number();
  let total = 0;
  let free = 0;
  for (let i = 0; i < Math.min(count, 4); i++) {
    const h = view.global('hstates').index(i);
    const per = 2 ** h.member('order').number();
    total += h.member('nr_huge_pages').number() * per;
    free += h.member('free_huge_pages').number() * per;
  }
  return { total, free };
}

/** vm_commit_limit() (mm/util.c). */
function commitLimit(view: KernelView, total: number | undefined, huge: number | undefined, swap: number | undefined): number | undefined {
  if (total === undefined || swap === undefined) return undefined;
  const kbytes = view.global('sysctl_overcommit_kbytes').number();
  const base = kbytes ? kbytes / 4 : Math.floor(((total - (huge ?? 0)) * view.global('sysctl_overcommit_ratio').number()) / 100);
  return base + swap;
}
