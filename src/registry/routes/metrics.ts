// /metrics in Prometheus's text format. It is an inventory of the registry (route names, queue
// depths, alert counts), so it is not public: on the main port it needs the bearer token of
// `[metrics] token`; without one it is served only on the separate port of `[metrics] port`
// (see metrics-server.ts), which should be reachable from the monitoring network only.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { presentedToken } from '../auth.js';
import { RegistryError, notFound } from '../errors.js';
import type { RegistryMetrics } from '../metrics.js';
import type { RegistryServices } from '../services.js';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function sendMetrics(metrics: RegistryMetrics, reply: FastifyReply): Promise<FastifyReply> {
  const text = await metrics.render();
  return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
}

export function registerMetricsRoute(app: FastifyInstance, services: RegistryServices): void {
  app.get('/metrics', async (req, reply) => {
    const expected = services.config.metricsToken;
    if (!expected)
      throw notFound(
        'metrics are not served on this port: set [metrics] token, or [metrics] port for a separate listener',
      );
    const given = presentedToken(req.headers.authorization);
    if (!given || !same(given, expected))
      throw new RegistryError(
        401,
        'metrics need the token of [metrics] token as a bearer token',
        {},
        {
          'www-authenticate': 'Bearer realm="metrics"',
        },
      );
    return sendMetrics(services.metrics, reply);
  });
}
