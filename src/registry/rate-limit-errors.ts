// The 429 a rate-limited action gets, worded as crates.io's so cargo users recognise it: cargo
// prints the `detail` after "the remote server responded with an error (status 429 Too Many
// Requests)". Retry-After carries the seconds to wait.
import type { RateLimitedAction } from '../store/rate-limits.js';
import { RegistryError } from './errors.js';

const WHAT: Record<RateLimitedAction, string> = {
  'publish-new': 'You have published too many new crates in a short period of time',
  'publish-update': 'You have published too many updates to existing crates in a short period of time',
  yank: 'You have yanked or unyanked too many versions in a short period of time',
  'sign-in': 'You have tried to sign in too many times in a short period of time',
  'token-create': 'You have created too many API tokens in a short period of time',
};

export function rateLimitMessage(action: RateLimitedAction, retryAt: Date, contact: string | null): string {
  const ask = contact
    ? `email ${contact} to have your limit increased`
    : 'ask the registry administrators to have your limit increased';
  return `${WHAT[action]}. Please try again after ${retryAt.toUTCString()} or ${ask}.`;
}

export function rateLimited(
  action: RateLimitedAction,
  retryAt: Date,
  contact: string | null,
  now = new Date(),
): RegistryError {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  return new RegistryError(
    429,
    rateLimitMessage(action, retryAt, contact),
    {},
    { 'retry-after': String(seconds) },
  );
}
