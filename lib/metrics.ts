/**
 * Prometheus metrics (prom-client), every one defined here. Each process serves its own registry:
 * the API at GET /metrics (api/metrics.ts), the worker on WORKER_METRICS_PORT (worker/main.ts).
 *
 * Reminder outcomes and activity retries are counted in the worker process, where they happen, and
 * served by its own endpoint rather than derived from Postgres: a retried attempt never becomes a
 * row state, and Prometheus adds counters up across processes and restarts anyway.
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DomainError } from '../domain/errors';

/** What the API process reports. */
export const apiRegistry = new Registry();
/** What the worker process reports (Temporal activities and the reminder worker). */
export const workerRegistry = new Registry();

export const httpRequests = new Counter({
  name: 'pc_http_requests_total',
  help: 'HTTP answers by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [apiRegistry],
});

export const httpDuration = new Histogram({
  name: 'pc_http_request_duration_seconds',
  help: 'Time to answer, by method and route template',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  registers: [apiRegistry],
});

export const paymentOutcomes = new Counter({
  name: 'pc_payments_total',
  help: 'POST /v1/payments by outcome: accepted, rejected (by error code), pending (not confirmed yet: the client retries with its key), error',
  labelNames: ['outcome', 'code'] as const,
  registers: [apiRegistry],
});

export const webhookOutcomes = new Counter({
  name: 'pc_stripe_webhooks_total',
  help: 'Stripe webhook deliveries by final status (processed, ignored, unmatched, failed, duplicate) or by the error code answered',
  labelNames: ['status'] as const,
  registers: [apiRegistry],
});

export const invoicesNeedingAttention = new Gauge({
  name: 'pc_invoices_needing_attention',
  help: 'Invoices whose workflow could not store part of a change (PcAttention; counted in Postgres at scrape time, as /readyz does)',
  registers: [apiRegistry],
});

export const reminderOutcomes = new Counter({
  name: 'pc_reminders_total',
  help: 'Reminder jobs by outcome: sent, skipped (paid or void meanwhile), retried (an attempt failed), failed (attempts exhausted)',
  labelNames: ['outcome'] as const,
  registers: [workerRegistry],
});

export const activityRetries = new Counter({
  name: 'pc_activity_retries_total',
  help: 'Activity attempts after the first, by activity (persistInvoice: persistence retries)',
  labelNames: ['activity'] as const,
  registers: [workerRegistry],
});

export const activityFailures = new Counter({
  name: 'pc_activity_failures_total',
  help: 'Failed activity attempts by activity and whether Temporal retries them',
  labelNames: ['activity', 'retried'] as const,
  registers: [workerRegistry],
});

const withDefaults = new WeakSet<Registry>();
/** Adds the process metrics (CPU, memory, event loop) to a registry once; called by the process that serves it. */
export function includeProcessMetrics(registry: Registry): Registry {
  if (!withDefaults.has(registry)) {
    withDefaults.add(registry);
    collectDefaultMetrics({ register: registry, prefix: 'pc_' });
  }
  return registry;
}

/** Counts how a payment request ended and passes its result or error on unchanged. */
export async function observePayment<T>(work: Promise<T>): Promise<T> {
  try {
    const result = await work;
    paymentOutcomes.inc({ outcome: 'accepted' });
    return result;
  } catch (err) {
    if (err instanceof DomainError) paymentOutcomes.inc({ outcome: err.kind === 'unavailable' ? 'pending' : 'rejected', code: err.code });
    else paymentOutcomes.inc({ outcome: 'error', code: 'internal_error' });
    throw err;
  }
}

/** Counts a webhook delivery by the status it settled in, or the error it answered. */
export async function observeWebhook<T extends { status: string; duplicate: boolean }>(work: Promise<T>): Promise<T> {
  try {
    const result = await work;
    webhookOutcomes.inc({ status: result.duplicate ? 'duplicate' : result.status });
    return result;
  } catch (err) {
    webhookOutcomes.inc({ status: err instanceof DomainError ? err.code : 'internal_error' });
    throw err;
  }
}

/** A plain HTTP server answering GET /metrics from `registry` (the worker process has no Fastify). */
export function serveMetrics(registry: Registry, opts: { host: string; port: number }): Promise<Server> {
  includeProcessMetrics(registry);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve(server));
  });
}
