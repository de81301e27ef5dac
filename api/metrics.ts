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
import type { Client } from '@temporalio/client';
import { apiRegistry, httpDuration, httpRequests, includeProcessMetrics, invoicesNeedingAttention } from '../lib/metrics';
import { SearchAttr } from '../workflows/definitions';

export const METRICS_PATH = '/metrics';
/** A scrape waits this long for Temporal's count before answering with the last value. */
const ATTENTION_COUNT_TIMEOUT_MS = 2_000;
const ATTENTION_QUERY = `${SearchAttr.attention.name} = true AND ExecutionStatus = 'Running'`;

/** Register before the routes: the hook counts every route registered after it. */
export function registerMetrics(app: FastifyInstance, deps: { temporal: Client }): void {
  includeProcessMetrics(apiRegistry);
  app.addHook('onResponse', async (request, reply) => {
    // The template (`/v1/invoices/:id`), never the raw URL: one series per route, not per id. Unknown paths share one.
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequests.inc({ method: request.method, route, status: reply.statusCode });
    httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
    try {
      const { count } = await deps.temporal.withDeadline(Date.now() + ATTENTION_COUNT_TIMEOUT_MS, () => deps.temporal.workflow.count(ATTENTION_QUERY));
      invoicesNeedingAttention.set(count);
    } catch (err) {
      request.log.warn({ err }, 'metrics: could not count invoices needing attention in Temporal; reporting the last count');
    }
    return reply.header('content-type', apiRegistry.contentType).send(await apiRegistry.metrics());
  });
}
