import { describe, expect, it } from 'vitest';
import { defaultRegistryConfig } from '../../registry/config.js';
import { DELETED_NAME_BLOCK_DAYS, actionBody, actions, offeredTo } from './actions.js';
import { TRIAGE_RESOLUTIONS } from './api-types.js';

describe('actions', () => {
  it('name the endpoints of the admin API', () => {
    expect(actions.yank('serde', '1.0.0')).toMatchObject({
      method: 'POST',
      path: '/api/admin/crates/serde/versions/1.0.0/yank',
      impact: { crate: 'serde', version: '1.0.0' },
    });
    expect(actions.deleteVersion('serde', '1.0.0')).toMatchObject({
      method: 'DELETE',
      path: '/api/admin/crates/serde/versions/1.0.0',
      destructive: true,
    });
    expect(actions.deleteCrate('serde')).toMatchObject({ method: 'DELETE', path: '/api/admin/crates/serde' });
    expect(actions.removeOwner('serde', 'bob').path).toBe('/api/admin/crates/serde/owners/bob');
    expect(actions.lockUser('bob').path).toBe('/api/admin/users/bob/lock');
    expect(actions.revokeToken('bob', 3, 'ci').path).toBe('/api/admin/users/bob/tokens/3/revoke');
    expect(actions.revokeAllTokens('bob').path).toBe('/api/admin/users/bob/tokens/revoke-all');
    expect(actions.name('tokioo', 'block')).toMatchObject({
      path: '/api/admin/names',
      body: { name: 'tokioo', action: 'block' },
    });
    expect(actions.triage(9, 'escalate', 'x', null)).toMatchObject({
      path: '/api/admin/alerts/9/triage',
      body: { action: 'escalate' },
    });
    expect(actions.settle(9, 'x', null).path).toBe('/api/admin/alerts/9/triage');
  });

  it('offer admin actions to administrators only, and key rotation to auditors only', () => {
    const auditor = { isAdmin: false, isAuditor: true };
    const adminOnly = { isAdmin: true, isAuditor: false };
    for (const spec of [
      actions.yank('serde', '1.0.0'),
      actions.release('serde', '1.0.0'),
      actions.deleteCrate('serde'),
      actions.lockUser('bob'),
      actions.authorAdvisory('serde'),
      actions.revokeSigningKey('ada', 'ab'.repeat(16)),
    ]) {
      expect(offeredTo(spec, auditor), spec.label).toBe(false);
      expect(offeredTo(spec, adminOnly), spec.label).toBe(true);
    }
    const rotate = actions.rotateSigningKey();
    expect(rotate).toMatchObject({ path: '/api/admin/vet/me/key/rotate', alwaysReauth: true });
    expect([offeredTo(rotate, auditor), offeredTo(rotate, adminOnly)]).toEqual([true, false]);
  });

  it('escape hostile names so they cannot reach another endpoint', () => {
    expect(actions.yank('../users/root', '1.0.0?x=1#').path).toBe(
      '/api/admin/crates/..%2Fusers%2Froot/versions/1.0.0%3Fx%3D1%23/yank',
    );
    expect(actions.lockUser('a/../../session').path).toBe('/api/admin/users/a%2F..%2F..%2Fsession/lock');
  });

  it('say what locking a user takes away when the page knows', () => {
    expect(actions.lockUser('bob', 1).impactNote).toMatch(/^bob owns 1 crate;/);
    expect(actions.revokeAllTokens('bob', 3, 2).impactNote).toMatch(
      /^bob owns 3 crates and holds 2 live tokens;/,
    );
    expect(actions.lockUser('bob').impactNote).toBeUndefined();
  });
});

describe('delete crate', () => {
  it("offers the registry's name block by default, as crates.io blocks a deleted name", () => {
    expect(DELETED_NAME_BLOCK_DAYS).toBe(defaultRegistryConfig().deletedNameBlockDays);
    const field = actions.deleteCrate('serde').fields!.find((f) => f.name === 'blockDays');
    expect(field?.initial).toBe('30');
  });
});

describe('actionBody', () => {
  it('sends the fixed parts, the trimmed reason and only the fields that were filled in', () => {
    const spec = actions.deleteCrate('serde');
    expect(actionBody(spec, '  malware  ', { blockDays: '30' })).toEqual({
      reason: 'malware',
      blockDays: 30,
    });
    expect(actionBody(spec, 'malware', { blockDays: '  ' })).toEqual({ reason: 'malware' });
    const triage = actions.triage(1, 'escalate', 'x', null);
    expect(actionBody(triage, 'needs the team', { note: 'checked by hand' })).toEqual({
      action: 'escalate',
      reason: 'needs the team',
      note: 'checked by hand',
    });
  });

  it('settles one alert with a reason from the scale bulk triage uses, which sets the status', () => {
    const settle = actions.settle(1, 'x', null);
    const field = settle.fields!.find((f) => f.name === 'resolution')!;
    expect(field.required).toBe(true);
    expect(field.options!.map((o) => o.value)).toEqual(['', ...TRIAGE_RESOLUTIONS]);
    expect(actionBody(settle, 'same team', { resolution: 'accepted-risk', note: '' })).toEqual({
      reason: 'same team',
      resolution: 'accepted-risk',
    });
  });

  it('never lets a field override the fixed action or the reason', () => {
    const triage = actions.triage(1, 'acknowledge', 'x', null);
    const body = actionBody(triage, 'looking', { note: 'n', action: 'resolve', reason: 'x' });
    expect(body).toEqual({ action: 'acknowledge', reason: 'looking', note: 'n' });
  });
});
