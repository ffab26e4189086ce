import { describe, expect, it } from 'vitest';
import { auditTargetPath, href, parseRoute, paths } from './routes.js';

const at = (url: string) => {
  const u = new URL(url, 'http://127.0.0.1');
  return parseRoute(u.pathname, u.search);
};

describe('parseRoute', () => {
  it('maps console URLs to pages', () => {
    expect(at('/console/')).toEqual({ page: 'overview' });
    expect(at('/console')).toEqual({ page: 'overview' });
    expect(at('/console/alerts/42')).toEqual({ page: 'alert', id: 42 });
    expect(at('/console/crates/serde_json')).toEqual({ page: 'crate', name: 'serde_json' });
    expect(at('/console/users/alice/')).toEqual({ page: 'user', login: 'alice' });
    expect(at('/console/search?q=to%20kio')).toEqual({ page: 'search', q: 'to kio' });
    const alerts = at('/console/alerts?status=any&kind=scanner');
    expect(alerts.page === 'alerts' && alerts.query.get('kind')).toBe('scanner');
    expect(at('/console/audit-log?target=a%40b').page).toBe('audit');
    const diff = at('/console/crates/serde/diff?from=1.0.0&to=1.0.1&path=src%2Flib.rs');
    expect(diff.page === 'diff' && [diff.name, diff.query.get('from'), diff.query.get('path')]).toEqual([
      'serde',
      '1.0.0',
      'src/lib.rs',
    ]);
    expect(at('/console/crates/serde/other').page).toBe('not-found');
  });

  it('round-trips the links it builds', () => {
    for (const path of [
      paths.overview(),
      paths.alert(7),
      paths.crate('tokio'),
      paths.user('bob'),
      paths.search('a b&c'),
      paths.alerts({ severity: 'high' }),
      paths.audit({ actor: 'root' }),
      paths.invitations(),
      paths.diff('serde'),
      paths.diff('serde', { from: '1.0.0', to: '2.0.0+build', path: 'a b/c&d.rs' }),
    ]) {
      const route = at(href(path));
      expect(route.page, path).not.toBe('not-found');
    }
    expect(at(href(paths.search('a b&c')))).toEqual({ page: 'search', q: 'a b&c' });
  });

  it('treats hostile or malformed paths as not found, never as another page', () => {
    for (const url of [
      '/console/alerts/1e3',
      '/console/alerts/-1',
      '/console/alerts/99999999999999999999',
      '/console/crates/%E0%A4%A',
      '/console/crates/a/b',
      '/console/users/a/b',
      '/console/users/%E0%A4%A',
      '/console/../etc/passwd',
      '/console/unknown',
    ]) {
      expect(at(url).page, url).toBe('not-found');
    }
    // An empty login is no user page: with the trailing slash dropped, as for every list, it is
    // the users list (a page of its own since the responder's lists).
    expect(at('/console/users/').page).toBe('users');
  });

  it('escapes names in the links it builds', () => {
    expect(paths.crate('../admin')).toBe('/crates/..%2Fadmin');
    expect(at(href(paths.crate('../admin')))).toEqual({ page: 'crate', name: '../admin' });
  });
});

describe('auditTargetPath', () => {
  it('links audit targets to the page they name', () => {
    expect(auditTargetPath('version', 'serde@1.0.0')).toBe('/crates/serde');
    expect(auditTargetPath('crate', 'serde')).toBe('/crates/serde');
    expect(auditTargetPath('token', 'alice/ci#4')).toBe('/users/alice');
    expect(auditTargetPath('user', 'alice')).toBe('/users/alice');
    expect(auditTargetPath('alert', '12')).toBe('/alerts/12');
    expect(auditTargetPath('alert', '12; drop')).toBeNull();
    expect(auditTargetPath('name', 'reserved')).toBeNull();
    expect(auditTargetPath('crate', null)).toBeNull();
  });
});

describe('advisory routes', () => {
  it('maps the advisory list and pages, and round-trips their links', () => {
    expect(at('/console/advisories')).toMatchObject({ page: 'advisories' });
    expect(at('/console/advisories/CK-2026-0001')).toEqual({ page: 'advisory', id: 'CK-2026-0001' });
    expect(at(href(paths.advisory('RUSTSEC-2024-0001')))).toEqual({
      page: 'advisory',
      id: 'RUSTSEC-2024-0001',
    });
    const list = at(href(paths.advisories({ category: 'malicious', present: 'true' })));
    expect(list.page === 'advisories' && list.query.get('category')).toBe('malicious');
    expect(auditTargetPath('advisory', 'CK-2026-0001')).toBe('/advisories/CK-2026-0001');
  });

  it('refuses advisory ids with spaces, controls or bad escapes', () => {
    for (const url of [
      '/console/advisories/a%20b',
      '/console/advisories/%00x',
      '/console/advisories/%E0%A4%A',
    ]) {
      expect(at(url).page, url).toBe('not-found');
    }
  });
});

describe('audit routes', () => {
  it('maps the audit form and the auditor page, and round-trips their links', () => {
    const form = at(href(paths.vetAudit('ffi-core', { from: '1.0.0', to: '1.1.0' })));
    expect(form.page).toBe('vet-audit');
    expect(form.page === 'vet-audit' && [form.name, form.query.get('from'), form.query.get('to')]).toEqual([
      'ffi-core',
      '1.0.0',
      '1.1.0',
    ]);
    expect(at(href(paths.vetAudit('../x')))).toMatchObject({ page: 'vet-audit', name: '../x' });
    expect(at(href(paths.auditor()))).toEqual({ page: 'auditor' });
    expect(at('/console/crates/%E0%A4%A/audit').page).toBe('not-found');
  });
});

describe('analysis routes', () => {
  it('maps the top-unsafe page with its limit, and round-trips its links', () => {
    const top = at(href(paths.topUnsafe(50)));
    expect(top.page === 'top-unsafe' && top.query.get('limit')).toBe('50');
    expect(at(href(paths.topUnsafe()))).toMatchObject({ page: 'top-unsafe' });
    expect(at('/console/analysis/unsafe/')).toMatchObject({ page: 'top-unsafe' });
    expect(at('/console/analysis').page).toBe('not-found');
    expect(at('/console/analysis/other').page).toBe('not-found');
  });
});
