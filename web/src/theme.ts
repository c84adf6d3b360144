/**
 * Light and dark: the system's choice (prefers-color-scheme) unless the viewer picked one with
 * the toggle, kept in localStorage. Charts read the palette from CSS variables, so they redraw
 * when it changes.
 */
import { useEffect, useState } from 'preact/hooks';

export type ThemeChoice = 'auto' | 'light' | 'dark';
const KEY = 'ktriage-theme';
const listeners = new Set<() => void>();
const media = window.matchMedia('(prefers-color-scheme: dark)');

export function themeChoice(): ThemeChoice {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'auto';
  } catch {
    return 'auto';
  }
}

export function applyTheme(choice: ThemeChoice = themeChoice()): void {
  if (choice === 'auto') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = choice;
}

export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'auto') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  applyTheme(choice);
  for (const l of listeners) l();
}

/** The theme in effect: light or dark. */
export function effectiveTheme(): 'light' | 'dark' {
  const choice = themeChoice();
  return choice === 'auto' ? (media.matches ? 'dark' : 'light') : choice;
}

/** Re-renders on a theme change (the toggle or the system's). */
export function useTheme(): 'light' | 'dark' {
  const [theme, set] = useState(effectiveTheme);
  useEffect(() => {
    const update = () => set(effectiveTheme());
    listeners.add(update);
    media.addEventListener('change', update);
    return () => {
      listeners.delete(update);
      media.removeEventListener('change', update);
    };
  }, []);
  return theme;
}

/** A CSS variable's value on the root. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
