/**
 * Closes the one window where an invoice could exist without its workflow: a process that dies
 * after committing the invoice and before starting the workflow. Invoices the workflow never
 * wrote to (stateVersion 0) get their workflow started again; the start is idempotent
 * (USE_EXISTING), so running workflows are left alone.
 */
import { Invoice, PlannedPayment } from '../db';
import { MS_PER_HOUR } from '../domain/dates';
import type { ServiceDeps } from './context';
import { startInvoiceWorkflow } from './invoice-workflow';

const ORPHAN_BATCH = 500;
/** Younger invoices may still be starting their workflow in the request that created them. */
const ORPHAN_MIN_AGE_MS = 30_000;
const RECOVERY_INTERVAL_MS = 30_000;

/** Invoices already known to have their workflow (started here, or found running), by id: their creation time (ms). */
export type StartedInvoices = Map<string, number>;

export async function ensureInvoiceWorkflows(deps: ServiceDeps, opts: { since: Date; until: Date; batch?: number; started?: StartedInvoices }): Promise<number> {
  const { em } = deps;
  const candidates = await em.execute<{ id: string }[]>(
    `select id from invoices where state_version = 0 and status in ('open', 'overdue') and created_at between ? and ? and id <> all(?::uuid[]) order by id limit ?`,
    // The ids as one array literal: a JS array would be spread into one placeholder per id.
    [opts.since, opts.until, `{${[...(opts.started?.keys() ?? [])].join(',')}}`, opts.batch ?? ORPHAN_BATCH],
  );
  if (candidates.length === 0) return 0;
  const ids = candidates.map((c) => c.id);
  const [invoices, plans] = await Promise.all([
    em.find(Invoice, { id: { $in: ids } }, { populate: ['tenant', 'contact'], orderBy: { id: 'asc' } }),
    em.find(PlannedPayment, { invoice: { $in: ids } }, { orderBy: { seq: 'asc' } }),
  ]);
  for (const invoice of invoices) {
    await startInvoiceWorkflow(deps, invoice, plans.filter((p) => p.invoice.id === invoice.id), invoice.tenant);
    opts.started?.set(invoice.id, invoice.createdAt.getTime());
  }
  return invoices.length;
}

/**
 * The sweep for invoices committed in the last hour whose workflow never started. It asks about each
 * invoice once (per process): one whose start found or made its workflow is remembered until it
 * leaves the window. Asking again every sweep sent a start for every invoice of the last hour that
 * had no payment yet, every 30 s: a standing load that grew with the rate of creation.
 */
export function recentOrphans(): (deps: ServiceDeps) => Promise<number> {
  const started: StartedInvoices = new Map();
  return (deps) => {
    const now = Date.now();
    for (const [id, createdAt] of started) if (createdAt < now - MS_PER_HOUR) started.delete(id);
    return ensureInvoiceWorkflows(deps, { since: new Date(now - MS_PER_HOUR), until: new Date(now - ORPHAN_MIN_AGE_MS), started });
  };
}

/**
 * Periodic recovery in the API process: invoices left without a workflow, and Stripe events stored
 * but never handed to Temporal. Each run of a step is one unit of work (`scope()` forks its
 * EntityManager); all steps are idempotent, so several API replicas may run them.
 */
export function startRecoverySweeps(scope: () => ServiceDeps, steps: Array<(deps: ServiceDeps) => Promise<unknown>>, intervalMs = RECOVERY_INTERVAL_MS): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => Promise.allSettled(steps.map((step) => step(scope()))));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
