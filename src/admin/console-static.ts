// Serves the built console (dist/web) at /console/: only files that exist in the build,
// hashed assets cached for good, index.html for client-side routes, and a CSP that keeps
// every request on this origin.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** Where the build lands: `dist/web` beside `dist/` (built) or the repository root (tsx). */
export function consoleDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', '..', 'dist', 'web'), join(here, '..', 'web')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return join(here, '..', '..', 'dist', 'web');
}

function listFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const s = statSync(path);
      if (s.isDirectory()) walk(path);
      else if (s.isFile()) files.set(relative(root, path).split(sep).join('/'), path);
    }
  };
  if (existsSync(root)) walk(root);
  return files;
}

export function registerConsole(app: FastifyInstance, root = consoleDir()): void {
  // The file list is fixed at start: a request can only ever name a file the build produced.
  const files = listFiles(root);
  const cache = new Map<string, Buffer>();
  const read = (rel: string) => {
    let data = cache.get(rel);
    if (!data) {
      data = readFileSync(files.get(rel)!);
      cache.set(rel, data);
    }
    return data;
  };
  const security = {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };

  app.get('/', async (_req, reply) => reply.redirect('/console/'));
  app.get('/console', async (_req, reply) => reply.redirect('/console/'));
  app.get('/console/*', async (req, reply) => {
    const rel = decodeURIComponent((req.params as { '*': string })['*'] ?? '');
    reply.headers(security);
    if (files.has(rel) && rel !== 'index.html') {
      const immutable = rel.startsWith('assets/');
      return reply
        .type(TYPES[extname(rel)] ?? 'application/octet-stream')
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(read(rel));
    }
    if (!files.has('index.html')) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console has not been built: run `npm run build`.\n');
    }
    // A path that looks like a file but is not one is a 404, not the app.
    if (/\.[a-z0-9]+$/i.test(rel))
      return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(read('index.html'));
  });
}
