// The console shell: the session check (sign-in page until there is one), the header with
// search and sign-out, the left navigation, and the page for the current route.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, api } from './api.js';
import type { SessionInfo } from './api-types.js';
import { AnnounceProvider } from './announce.js';
import { AlertDetailPage } from './pages/alert-detail.js';
import { AlertsPage } from './pages/alerts.js';
import { AdvisoriesPage } from './pages/advisories.js';
import { AdvisoryPage } from './pages/advisory.js';
import { AuditLogPage } from './pages/audit-log.js';
import { AuditorPage } from './pages/auditor.js';
import { CratePage } from './pages/crate.js';
import { CrateDiffPage } from './pages/crate-diff.js';
import { InvitationsPage } from './pages/invitations.js';
import { NamesPage } from './pages/names.js';
import { QuarantinePage } from './pages/quarantine.js';
import { TokensPage } from './pages/tokens.js';
import { TopUnsafePage } from './pages/top-unsafe.js';
import { UsersPage } from './pages/users.js';
import { OverviewPage } from './pages/overview.js';
import { SearchPage } from './pages/search.js';
import { SignInPage } from './pages/sign-in.js';
import { UserPage } from './pages/user.js';
import { VetAuditPage } from './pages/vet-audit.js';
import { PageHeader } from './components/page-header.js';
import { paths, type Route } from './routes.js';
import { Link, navigate, useRoute } from './router.js';
import { SessionContext } from './session.js';

/** `auditors`: the pages an auditor who is not an administrator can use (the rest answer 403). */
const NAV: { label: string; to: string; pages: Route['page'][]; auditors?: true }[] = [
  { label: 'Overview', to: paths.overview(), pages: ['overview'] },
  { label: 'Alerts', to: paths.alerts(), pages: ['alerts', 'alert'] },
  { label: 'Advisories', to: paths.advisories(), pages: ['advisories', 'advisory'] },
  { label: 'Search', to: paths.search(''), pages: ['search', 'crate', 'diff', 'user'] },
  { label: 'Quarantine', to: paths.quarantine(), pages: ['quarantine'] },
  { label: 'Unsafe code', to: paths.topUnsafe(), pages: ['top-unsafe'] },
  { label: 'Users', to: paths.users(), pages: ['users'] },
  { label: 'Tokens', to: paths.tokens(), pages: ['tokens'] },
  { label: 'Blocked names', to: paths.names(), pages: ['names'] },
  { label: 'Audit log', to: paths.audit(), pages: ['audit'] },
  {
    label: 'Audits (cargo-vet)',
    to: paths.auditor(),
    pages: ['auditor', 'vet-audit'],
    auditors: true,
  },
  { label: 'Owner invitations', to: paths.invitations(), pages: ['invitations'] },
];

/** Pages an auditor who is not an administrator may open: the audit authority and what it reviews. */
const AUDITOR_PAGES: ReadonlySet<Route['page']> = new Set<Route['page']>([
  'auditor',
  'vet-audit',
  'crate',
  'diff',
  'not-found',
]);

function Page({ route, isAdmin }: { route: Route; isAdmin: boolean }) {
  // An auditor's home is the audit authority; the administrators' pages are not offered.
  if (!isAdmin && !AUDITOR_PAGES.has(route.page)) return <AuditorPage />;
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'alerts':
      return <AlertsPage query={route.query} />;
    case 'alert':
      return <AlertDetailPage key={route.id} id={route.id} />;
    case 'crate':
      return <CratePage key={route.name} name={route.name} />;
    case 'diff':
      return <CrateDiffPage key={route.name} name={route.name} query={route.query} />;
    case 'user':
      return <UserPage key={route.login} login={route.login} />;
    case 'search':
      return <SearchPage q={route.q} />;
    case 'audit':
      return <AuditLogPage query={route.query} />;
    case 'invitations':
      return <InvitationsPage />;
    case 'quarantine':
      return <QuarantinePage />;
    case 'users':
      return <UsersPage />;
    case 'tokens':
      return <TokensPage user={route.query.get('user') ?? ''} />;
    case 'names':
      return <NamesPage />;
    case 'advisories':
      return <AdvisoriesPage query={route.query} />;
    case 'advisory':
      return <AdvisoryPage key={route.id} id={route.id} />;
    case 'vet-audit':
      return <VetAuditPage key={route.name} name={route.name} query={route.query} />;
    case 'auditor':
      return <AuditorPage />;
    case 'top-unsafe':
      return <TopUnsafePage query={route.query} />;
    case 'not-found':
      return (
        <>
          <PageHeader title="Not found" />
          <p>
            There is no console page at <span className="mono">{route.path}</span>.{' '}
            <Link to={paths.overview()}>Go to the overview</Link>.
          </p>
        </>
      );
  }
}

function HeaderSearch() {
  const [q, setQ] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!q.trim()) return;
    navigate(paths.search(q.trim()));
    setQ('');
  };
  return (
    <form role="search" className="header-search" onSubmit={submit}>
      <label htmlFor="header-q" className="visually-hidden">
        Search crates, users and alerts
      </label>
      <input
        id="header-q"
        type="search"
        placeholder="Search crates, users, alerts"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <button type="submit">Search</button>
    </form>
  );
}

function Shell({ session, onSignOut }: { session: SessionInfo; onSignOut: () => Promise<void> }) {
  const { route } = useRoute();
  const isAdmin = session.user.isAdmin;
  const nav = NAV.filter((n) => isAdmin || n.auditors);
  return (
    <SessionContext.Provider value={{ user: session.user, signOut: onSignOut }}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="layout">
        <header className="topbar">
          <Link className="brand" to={paths.overview()}>
            <span className="brand-mark" aria-hidden="true" />
            cratekeeper <span className="brand-sub">{isAdmin ? 'admin' : 'audits'}</span>
          </Link>
          {isAdmin && <HeaderSearch />}
          <div className="whoami">
            <span>
              Signed in as <strong data-testid="whoami">{session.user.login}</strong>
            </span>
            <button type="button" onClick={() => void onSignOut()}>
              Sign out
            </button>
          </div>
        </header>
        <nav className="sidenav" aria-label="Main">
          <ul>
            {nav.map((n) => {
              // An auditor reaches crate and diff pages from the audit authority, not from Search.
              const current =
                n.pages.includes(route.page) ||
                (!isAdmin && n.auditors === true && (route.page === 'crate' || route.page === 'diff'));
              return (
                <li key={n.label}>
                  <Link to={n.to} aria-current={current ? 'page' : undefined}>
                    {n.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Page route={route} isAdmin={isAdmin} />
        </main>
      </div>
    </SessionContext.Provider>
  );
}

export function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [checked, setChecked] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();

  const accept = useCallback((s: SessionInfo) => {
    api.setCsrfToken(s.csrfToken);
    setSession(s);
    setNotice(undefined);
  }, []);

  useEffect(() => {
    api
      .get<SessionInfo>('/api/admin/session')
      .then(accept)
      .catch((e: unknown) => {
        if (!(e instanceof ApiError) || e.status !== 401)
          setNotice(e instanceof Error ? e.message : String(e));
      })
      .finally(() => setChecked(true));
    return api.onUnauthorized(() => {
      api.setCsrfToken(null);
      setSession(null);
      setNotice('Your session has ended. Sign in again.');
    });
  }, [accept]);

  const signOut = useCallback(async () => {
    try {
      await api.send('DELETE', '/api/admin/session');
    } finally {
      api.setCsrfToken(null);
      setSession(null);
      setNotice('You are signed out.');
    }
  }, []);

  if (!checked) return <p className="muted boot">Loading the console…</p>;
  return (
    <AnnounceProvider>
      {session ? (
        <Shell session={session} onSignOut={signOut} />
      ) : (
        <SignInPage onSignedIn={accept} notice={notice} />
      )}
    </AnnounceProvider>
  );
}
