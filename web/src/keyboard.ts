/**
 * Keyboard: `/` focuses the search box; in a page's main list `j`/`k` move the selection and
 * Enter opens it. Keys typed into a field are the field's.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function installSearchKey(): void {
  document.addEventListener('keydown', (event) => {
    if (event.key !== '/' || typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const search = document.getElementById('search') as HTMLInputElement | null;
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  });
}

/** The selected row of a list of `count` rows (-1: none); `open(i)` on Enter. */
export function useListKeys(count: number, open: (index: number) => void, resetKey: string): number {
  const [selected, setSelected] = useState(-1);
  // What the listener reads: the row shown selected may be painted before the effect below runs
  // again, and an Enter pressed in between must open it, not find the old value.
  const current = useRef(-1);
  current.current = selected;
  useEffect(() => setSelected(-1), [resetKey]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey || count === 0) return;
      if (event.key === 'j' || event.key === 'k') {
        event.preventDefault();
        const s = current.current;
        const next = event.key === 'j' ? Math.min(count - 1, s + 1) : Math.max(0, s - 1);
        current.current = next;
        setSelected(next);
        requestAnimationFrame(() => document.querySelector(`[data-row="${next}"]`)?.scrollIntoView({ block: 'nearest' }));
      } else if (event.key === 'Enter' && current.current >= 0 && !(event.target instanceof HTMLAnchorElement) && !(event.target instanceof HTMLButtonElement)) {
        event.preventDefault();
        open(current.current);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [count, open]);
  return selected;
}
