// The headers every response carries. The API, index and downloads are read by cargo and
// scripts, never rendered, so their policy forbids everything a browser could do with them; the
// console's route sets its own (scripts and styles from this origin only). HSTS only when the
// registry is reached over https (a header on http would be ignored, and wrong behind no TLS).
import type { RegistryConfig } from './config.js';

const BASE: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  [
    'content-security-policy',
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  ],
  ['x-frame-options', 'DENY'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
];

/** The headers for the registry's current public URL (it is known only after the listen). */
export function securityHeaders(config: Pick<RegistryConfig, 'publicUrl' | 'hstsMaxAgeSeconds'>) {
  let forUrl: string | null = null;
  let headers = BASE;
  return {
    [Symbol.iterator](): Iterator<[string, string]> {
      if (forUrl !== config.publicUrl) {
        forUrl = config.publicUrl;
        const https = /^https:\/\//i.test(config.publicUrl) && config.hstsMaxAgeSeconds > 0;
        headers = https
          ? [...BASE, ['strict-transport-security', `max-age=${config.hstsMaxAgeSeconds}; includeSubDomains`]]
          : BASE;
      }
      return headers[Symbol.iterator]();
    },
  };
}
