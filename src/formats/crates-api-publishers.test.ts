// The publisher subset of crates.io's crate API, as cargo-vet reads it.
import { describe, expect, it } from 'vitest';
import { CratesApiError, parseCratesApiPublishers } from './crates-api-publishers.js';

describe('crates API publishers', () => {
  it('takes published_by first, then a GitHub trusted publisher, and skips the rest', () => {
    const text = JSON.stringify({
      crate: { name: 'foo', description: null },
      versions: [
        {
          num: '1.2.0',
          created_at: '2025-03-01T12:00:00.123+00:00',
          published_by: { id: 7, login: 'maint', name: 'Mai Nt' },
          trustpub_data: null,
        },
        {
          num: '1.3.0',
          created_at: '2025-04-01T00:00:00Z',
          published_by: null,
          trustpub_data: { provider: 'github', repository: 'org/foo', sha: 'abc' },
        },
        {
          num: '1.3.1',
          created_at: '2025-04-02T00:00:00Z',
          published_by: { id: 8, login: 'other' },
          trustpub_data: { provider: 'github', repository: 'org/foo' },
        },
        {
          num: '1.4.0',
          created_at: '2025-05-01T00:00:00Z',
          published_by: null,
          trustpub_data: { provider: 'gitlab', repository: 'g/foo' },
        },
        { num: '0.1.0', created_at: '2015-01-01T00:00:00Z', published_by: null },
      ],
    });
    expect(parseCratesApiPublishers('foo', text)).toEqual([
      {
        crate: 'foo',
        version: '1.2.0',
        publishedAt: '2025-03-01T12:00:00.123+00:00',
        userId: 7,
        userLogin: 'maint',
        userName: 'Mai Nt',
      },
      {
        crate: 'foo',
        version: '1.3.0',
        publishedAt: '2025-04-01T00:00:00Z',
        trustedPublisher: 'github:org/foo',
      },
      { crate: 'foo', version: '1.3.1', publishedAt: '2025-04-02T00:00:00Z', userId: 8, userLogin: 'other' },
    ]);
  });

  it('refuses malformed responses', () => {
    expect(() => parseCratesApiPublishers('foo', '<html>')).toThrow(CratesApiError);
    expect(() => parseCratesApiPublishers('foo', '{"versions": 3}')).toThrow('"versions" must be an array');
    expect(() =>
      parseCratesApiPublishers('foo', '{"versions": [{"num": "1.0.0", "created_at": "yesterday"}]}'),
    ).toThrow('versions[0]');
    expect(() => parseCratesApiPublishers('foo', '{"versions": [null]}')).toThrow(
      'versions[0] must be an object',
    );
  });
});
