// Client-side routes under /console/: parsing a location into a page and building links back.
// Pure, so both the app and its tests use it.

export type Route =
  | { page: 'overview' }
  | { page: 'alerts'; query: URLSearchParams }
  | { page: 'alert'; id: number }
  | { page: 'crate'; name: string }
  | { page: 'diff'; name: string; query: URLSearchParams }
  | { page: 'user'; login: string }
  | { page: 'search'; q: string }
  | { page: 'audit'; query: URLSearchParams }
  | { page: 'invitations' }
  | { page: 'quarantine' }
  | { page: 'users' }
  | { page: 'tokens'; query: URLSearchParams }
  | { page: 'names' }
  | { page: 'advisories'; query: URLSearchParams }
  | { page: 'advisory'; id: string }
  | { page: 'vet-audit'; name: string; query: URLSearchParams }
  | { page: 'auditor' }
  | { page: 'top-unsafe'; query: URLSearchParams }
  | { page: 'not-found'; path: string };

export const BASE = '/console';

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export function parseRoute(pathname: string, search: string): Route {
  let path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  path = path.replace(/\/+$/, '');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean);
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (parts.length === 1) {
    if (first === 'alerts') return { page: 'alerts', query };
    if (first === 'search') return { page: 'search', q: query.get('q') ?? '' };
    if (first === 'audit-log') return { page: 'audit', query };
    if (first === 'owner-invitations') return { page: 'invitations' };
    if (first === 'quarantine') return { page: 'quarantine' };
    if (first === 'users') return { page: 'users' };
    if (first === 'tokens') return { page: 'tokens', query };
    if (first === 'names') return { page: 'names' };
    if (first === 'advisories') return { page: 'advisories', query };
    if (first === 'audits') return { page: 'auditor' };
  }
  if (parts.length === 2 && first === 'analysis' && second === 'unsafe') return { page: 'top-unsafe', query };
  if (parts.length === 2 && second !== undefined) {
    const value = decode(second);
    if (first === 'alerts' && /^\d{1,12}$/.test(second)) return { page: 'alert', id: Number(second) };
    if (first === 'crates' && value) return { page: 'crate', name: value };
    if (first === 'users' && value) return { page: 'user', login: value };
    if (first === 'advisories' && value && /^[\x21-\x7e]{1,200}$/.test(value))
      return { page: 'advisory', id: value };
  }
  if (parts.length === 3 && first === 'crates' && parts[2] === 'diff' && second !== undefined) {
    const value = decode(second);
    if (value) return { page: 'diff', name: value, query };
  }
  if (parts.length === 3 && first === 'crates' && parts[2] === 'audit' && second !== undefined) {
    const value = decode(second);
    if (value) return { page: 'vet-audit', name: value, query };
  }
  return { page: 'not-found', path };
}

export const paths = {
  overview: () => '/',
  alerts: (query?: Record<string, string>) => {
    const qs = new URLSearchParams(query).toString();
    return qs ? `/alerts?${qs}` : '/alerts';
  },
  alert: (id: number) => `/alerts/${id}`,
  crate: (name: string) => `/crates/${encodeURIComponent(name)}`,
  /** The diff viewer; `from`, `to` and `path` are optional (the page picks defaults). */
  diff: (name: string, query?: { from?: string; to?: string; path?: string }) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
    const qs = params.toString();
    return `/crates/${encodeURIComponent(name)}/diff${qs ? `?${qs}` : ''}`;
  },
  user: (login: string) => `/users/${encodeURIComponent(login)}`,
  search: (q: string) => (q ? `/search?${new URLSearchParams({ q }).toString()}` : '/search'),
  audit: (query?: Record<string, string>) => {
    const qs = new URLSearchParams(query).toString();
    return qs ? `/audit-log?${qs}` : '/audit-log';
  },
  invitations: () => '/owner-invitations',
  quarantine: () => '/quarantine',
  users: () => '/users',
  tokens: (user?: string) => (user ? `/tokens?${new URLSearchParams({ user }).toString()}` : '/tokens'),
  names: () => '/names',
  advisories: (query?: Record<string, string>) => {
    const qs = new URLSearchParams(query).toString();
    return qs ? `/advisories?${qs}` : '/advisories';
  },
  advisory: (id: string) => `/advisories/${encodeURIComponent(id)}`,
  /** The audit form: a full audit of `version`, or a delta `from` → `to`. */
  vetAudit: (name: string, query?: { version?: string; from?: string; to?: string }) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
    const qs = params.toString();
    return `/crates/${encodeURIComponent(name)}/audit${qs ? `?${qs}` : ''}`;
  },
  /** The audit authority: the signed-in auditor's key, criteria, imported audit sets. */
  auditor: () => '/audits',
  /** The crates with the most unsafe code; `limit`: how many (the page's default when absent). */
  topUnsafe: (limit?: number) => (limit ? `/analysis/unsafe?limit=${limit}` : '/analysis/unsafe'),
};

/** The browser URL of a console path. */
export const href = (path: string): string => (path === '/' ? `${BASE}/` : `${BASE}${path}`);

/** The page an audit target names: `crate`, `crate@version`, `login`, `login/token#id`, an alert id. */
export function auditTargetPath(targetType: string | null, target: string | null): string | null {
  if (!target) return null;
  switch (targetType) {
    case 'crate':
    case 'version':
      return paths.crate(target.split('@')[0] ?? target);
    case 'user':
    case 'session':
      return paths.user(target);
    case 'token':
      return paths.user(target.split('/')[0] ?? target);
    case 'alert':
      return /^\d{1,12}$/.test(target) ? paths.alert(Number(target)) : null;
    case 'advisory':
      return paths.advisory(target);
    default:
      return null;
  }
}
