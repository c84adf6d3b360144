import type { KernelView } from '../kernel-view.js';

export function totalRamPages(view: KernelView): number {
  return view.global('_totalram_pages').number();
}

/** global_zone_page_state(item) / global_node_page_state(item), by enumerator name. */
export function vmStat(view: KernelView, array: 'vm_zone_stat' | 'vm_node_stat', item: string): number | undefined {
  const index = view.btf.enumValue(item);
  if (index === undefined || !view.hasSymbol(array)) return undefined;
  return Math.max(0, view.global(array).index(Number(index)).number());
}
