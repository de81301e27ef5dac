/**
 * GET /metrics (Prometheus text format) and the hook that counts every answer by route template
 * and status. The metrics themselves are defined in lib/metrics.ts.
 *
 * /metrics is unauthenticated and hidden from OpenAPI, like /healthz and /readyz: it carries no
 * tenant data (labels are route templates, statuses, outcome and error codes; never ids), cannot
 * change anything (ADMIN_TOKEN guards Bull Board because it can retry jobs), and a Prometheus
 * scraper reaches it like a load balancer reaches /readyz. A deployment that exposes the API to the
 * internet keeps these three operator paths off its public edge.
 */
import type { FastifyInstance } from 'fastify';
import { countInvoicesNeedingAttention } from '../db/repositories/invoices';
import { apiRegistry, httpDuration, httpRequests, includeProcessMetrics, invoicesNeedingAttention } from '../lib/metrics';
import type { ProcessDeps } from '../services/context';

export const METRICS_PATH = '/metrics';

/** Register before the routes: the hook counts every route registered after it. */
export function registerMetrics(app: FastifyInstance, deps: Pick<ProcessDeps, 'orm'>): void {
  includeProcessMetrics(apiRegistry);
  app.addHook('onResponse', async (request, reply) => {
    // The template (`/v1/invoices/:id`), never the raw URL: one series per route, not per id. Unknown paths share one.
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequests.inc({ method: request.method, route, status: reply.statusCode });
    httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
    // The count /readyz reports, from Postgres at scrape time; while Postgres is down, the last one.
    try {
      invoicesNeedingAttention.set(await countInvoicesNeedingAttention(deps.orm.em.fork()));
    } catch (err) {
      request.log.warn({ err }, 'metrics: could not count invoices needing attention; reporting the last count');
    }
    return reply.header('content-type', apiRegistry.contentType).send(await apiRegistry.metrics());
  });
}
