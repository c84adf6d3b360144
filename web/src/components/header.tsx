import { useEffect, useState } from 'preact/hooks';
import type { Scope } from '../api-types.js';
import { navigate, type Location } from '../router.js';
import { setTheme, themeChoice, type ThemeChoice } from '../theme.js';

const NAV = [
  { href: '/', label: 'Overview', match: (p: string) => p === '/' },
  { href: '/buckets', label: 'Buckets', match: (p: string) => p.startsWith('/buckets') },
  { href: '/hosts', label: 'Hosts', match: (p: string) => p.startsWith('/hosts') },
];

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { auto: 'light', light: 'dark', dark: 'auto' };

export function Header({ location, scope, onLogout }: { location: Location; scope: Scope; onLogout: () => void }) {
  const onBuckets = location.path === '/buckets';
  const [q, setQ] = useState(onBuckets ? (location.params.get('q') ?? '') : '');
  useEffect(() => setQ(onBuckets ? (location.params.get('q') ?? '') : ''), [location.path, onBuckets ? location.params.get('q') : null]);
  const [theme, setThemeState] = useState(themeChoice);
  const submit = (event: Event) => {
    event.preventDefault();
    const params = onBuckets ? new URLSearchParams(location.params) : new URLSearchParams();
    if (q.trim()) params.set('q', q.trim());
    else params.delete('q');
    params.delete('cursor');
    const s = params.toString();
    navigate(`/buckets${s ? `?${s}` : ''}`);
  };
  return (
    <header class="top">
      <a class="brand" href="/" aria-label="ktriage overview">
        <span class="brand-mark" aria-hidden="true">
          ▲
        </span>
        ktriage
      </a>
      <nav aria-label="Main">
        {NAV.map((n) => (
          <a href={n.href} aria-current={n.match(location.path) ? 'page' : undefined}>
            {n.label}
          </a>
        ))}
      </nav>
      <form class="search" role="search" onSubmit={submit}>
        <label for="search" class="sr-only">
          Search buckets by title, culprit or module
        </label>
        <input id="search" type="search" placeholder="Search titles, culprits, modules" value={q} onInput={(e) => setQ(e.currentTarget.value)} autocomplete="off" />
        <kbd aria-hidden="true">/</kbd>
      </form>
      <div class="top-actions">
        <button
          type="button"
          class="ghost"
          title="Theme: follows the system, light or dark"
          aria-label={`Theme: ${theme}. Change theme`}
          onClick={() => {
            const next = NEXT_THEME[theme];
            setTheme(next);
            setThemeState(next);
          }}
        >
          {theme === 'auto' ? '◐ Auto' : theme === 'light' ? '☀ Light' : '☾ Dark'}
        </button>
        <span class={`scope scope-${scope}`} title={scope === 'admin' ? 'Signed in with an admin token' : 'Signed in with a read token'}>
          {scope}
        </span>
        <button type="button" class="ghost" onClick={onLogout}>
          Sign out
        </button>
      </div>
    </header>
  );
}
