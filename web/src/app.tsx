/**
 * The shell: the session decides between the login form and the pages (no data is asked for
 * without one); the header holds navigation, search, theme and logout; the path picks the page.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, whenUnauthorized } from './api.js';
import type { Scope } from './api-types.js';
import { Header } from './components/header.js';
import { Login } from './pages/login.js';
import { BucketListPage } from './pages/bucket-list.js';
import { BucketPage } from './pages/bucket.js';
import { HostListPage } from './pages/host-list.js';
import { HostPage } from './pages/host.js';
import { OverviewPage } from './pages/overview.js';
import { ReportPage } from './pages/report.js';
import { useLocation, type Location } from './router.js';

type Session = { state: 'checking' } | { state: 'out'; message?: string } | { state: 'in'; scope: Scope };

export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const location = useLocation();
  const check = () =>
    api.session().then(
      (s) => setSession({ state: 'in', scope: s.scope }),
      () => setSession({ state: 'out' }),
    );
  useEffect(() => {
    whenUnauthorized(() => setSession({ state: 'out', message: 'Your session ended. Sign in again.' }));
    void check();
  }, []);
  if (session.state === 'checking') return <div class="boot" aria-busy="true" />;
  if (session.state === 'out') return <Login message={session.message} onSignedIn={check} />;
  const logout = () => api.logout().finally(() => setSession({ state: 'out', message: 'Signed out.' }));
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header location={location} scope={session.scope} onLogout={logout} />
      <main id="main" tabIndex={-1}>
        <Page location={location} admin={session.scope === 'admin'} />
      </main>
    </>
  );
}

function Page({ location, admin }: { location: Location; admin: boolean }) {
  const parts = location.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [section, id] = parts;
  useEffect(() => {
    document.title = `${section ? `${id ?? section} · ` : ''}ktriage`;
  }, [section, id]);
  if (!section) return <OverviewPage location={location} />;
  if (section === 'buckets' && id) return <BucketPage id={id} admin={admin} />;
  if (section === 'buckets') return <BucketListPage location={location} />;
  if (section === 'hosts' && id) return <HostPage host={id} />;
  if (section === 'hosts') return <HostListPage location={location} />;
  if (section === 'reports' && id) return <ReportPage id={id} />;
  return (
    <section class="empty">
      <h1>Not found</h1>
      <p>
        No page at <code>{location.path}</code>. <a href="/">Back to the overview</a>.
      </p>
    </section>
  );
}
