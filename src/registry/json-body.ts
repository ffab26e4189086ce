// Small JSON bodies (owner changes, admin actions) read from the raw buffer with a clear
// 400 for anything that is not a JSON object.
import type { FastifyRequest } from 'fastify';
import { badRequest } from './errors.js';

export function jsonBody(req: FastifyRequest, { optional = false } = {}): Record<string, unknown> {
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    if (optional) return {};
    throw badRequest('expected a JSON body');
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('invalid JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest('expected a JSON object');
  return value as Record<string, unknown>;
}

export function stringField(
  body: Record<string, unknown>,
  key: string,
  { min = 1, max = 2000 } = {},
): string {
  const v = body[key];
  if (typeof v !== 'string' || v.trim().length < min) {
    throw badRequest(
      min > 1 ? `\`${key}\` is required (at least ${min} characters)` : `\`${key}\` is required`,
    );
  }
  if (v.length > max) throw badRequest(`\`${key}\` is too long (at most ${max} characters)`);
  return v.trim();
}
