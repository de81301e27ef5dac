/** Stored Stripe events after the webhook: the recovery sweep, and the tenant's review list. */
import { eventsAwaitingHandoff, listStripeEventRows, noteStripeEventFailure, type StripeEventRecord } from '../db/repositories/stripe-events';
import type { StripeEventStatus } from '../domain/stripe-events';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage, type Page, type PageParams } from './pagination';
import { handOffStripeEvent } from './stripe-handoff';

/** Events younger than this may still be in their webhook's own hand-off. */
const SWEEP_MIN_AGE_MS = 30_000;
const SWEEP_BATCH = 100;

/**
 * Recovery sweep: events stored but never handed off (Temporal was down, the process died).
 * Least-tried first, so an event that keeps failing (a revoked key, say) stays visible with its
 * last_error and is still retried, but never holds back newer events.
 */
export async function retryReceivedStripeEvents(deps: ServiceDeps, opts: { olderThanMs?: number; limit?: number } = {}): Promise<{ retried: number; failed: number }> {
  const rows = await eventsAwaitingHandoff(deps.em, { olderThanMs: opts.olderThanMs ?? SWEEP_MIN_AGE_MS, limit: opts.limit ?? SWEEP_BATCH });
  let failed = 0;
  for (const { tenantId, event } of rows) {
    try {
      await handOffStripeEvent(deps, tenantId, event);
    } catch (err) {
      failed += 1;
      await noteStripeEventFailure(deps.em, tenantId, event.id, err).catch(() => undefined);
    }
  }
  return { retried: rows.length - failed, failed };
}

export interface StripeEventListQuery extends PageParams {
  status?: StripeEventStatus;
}

/** The tenant's events, newest first. */
export async function listStripeEvents(deps: ServiceDeps, tenant: TenantContext, query: StripeEventListQuery): Promise<Page<StripeEventRecord>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const after = decodeCursor(query.cursor, ['datetime', 'string']) as [string, string] | undefined;
  const rows = await listStripeEventRows(deps.em, tenant.id, { status: query.status, after, limit });
  return toPage(rows, limit, (r) => [r.receivedKey, r.id]);
}
