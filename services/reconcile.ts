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

export async function ensureInvoiceWorkflows(deps: ServiceDeps, opts: { since: Date; until: Date; batch?: number }): Promise<number> {
  const { em } = deps;
  const invoices = await em.find(
    Invoice,
    { stateVersion: 0, status: { $in: ['open', 'overdue'] }, createdAt: { $gte: opts.since, $lte: opts.until } },
    { populate: ['tenant', 'contact'], limit: opts.batch ?? ORPHAN_BATCH, orderBy: { id: 'asc' } },
  );
  for (const invoice of invoices) {
    const plan = await em.find(PlannedPayment, { invoice: invoice.id }, { orderBy: { seq: 'asc' } });
    await startInvoiceWorkflow(deps, invoice, plan, invoice.tenant);
  }
  return invoices.length;
}

/** Invoices committed in the last hour whose workflow never started. */
export const recentOrphans = (deps: ServiceDeps) =>
  ensureInvoiceWorkflows(deps, { since: new Date(Date.now() - MS_PER_HOUR), until: new Date(Date.now() - ORPHAN_MIN_AGE_MS) });

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
