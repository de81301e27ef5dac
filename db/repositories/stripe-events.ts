/**
 * stripe_events: every webhook delivery we accepted, keyed by (tenant, Stripe event id). A row is
 * committed before anything acts on it; its status records how far it got.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StripeEventStatus } from '../../domain/stripe-events';

/** The part of a Stripe event envelope we read. */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export interface StripeEventRecord {
  id: string;
  type: string;
  status: StripeEventStatus;
  invoiceId: string | null;
  paymentIntentId: string | null;
  lastError: string | null;
  attempts: number;
  receivedAt: Date;
  processedAt: Date | null;
  payload: unknown;
  /** receivedAt at full (microsecond) precision, for keyset pages. */
  receivedKey: string;
}

/** Longest error text kept on an event row. */
const MAX_ERROR_LENGTH = 1000;
const errorText = (err: unknown) => String((err as Error)?.message ?? err).slice(0, MAX_ERROR_LENGTH);

/** Stores a delivery; null when the event was stored before (a redelivery), with its status then. */
export async function storeStripeEvent(
  em: EntityManager,
  tenantId: string,
  event: StripeEventEnvelope,
  rawPayload: string,
  paymentIntentId: string | null,
): Promise<{ inserted: true } | { inserted: false; status: StripeEventStatus | null }> {
  const inserted = await em.execute<{ status: StripeEventStatus }[]>(
    `insert into stripe_events (tenant_id, id, type, payload, status, payment_intent_id, attempts, received_at)
     values (?, ?, ?, ?::jsonb, 'received', ?, 0, now()) on conflict (tenant_id, id) do nothing returning status`,
    [tenantId, event.id, event.type, rawPayload, paymentIntentId],
  );
  if (inserted.length > 0) return { inserted: true };
  const [row] = await em.execute<{ status: StripeEventStatus }[]>('select status from stripe_events where tenant_id = ? and id = ?', [tenantId, event.id]);
  return { inserted: false, status: row?.status ?? null };
}

/** Settles an event that was still open (received or unmatched). */
export async function settleStripeEvent(em: EntityManager, tenantId: string, eventId: string, status: StripeEventStatus, invoiceId: string | null, note: string | null): Promise<void> {
  await em.execute(
    `update stripe_events set status = ?, invoice_id = coalesce(?, invoice_id), last_error = ?, attempts = attempts + 1, processed_at = now()
      where tenant_id = ? and id = ? and status in ('received', 'unmatched')`,
    [status, invoiceId, note, tenantId, eventId],
  );
}

/** A failed hand-off of a still-received event: counted, with its reason, for the sweep to retry. */
export async function noteStripeEventFailure(em: EntityManager, tenantId: string, eventId: string, err: unknown): Promise<void> {
  await em.execute(`update stripe_events set attempts = attempts + 1, last_error = ? where tenant_id = ? and id = ? and status = 'received'`, [errorText(err), tenantId, eventId]);
}

/** An unmatched event that now matches but could not be handed off: back to received, for the sweep. */
export async function reopenStripeEvent(em: EntityManager, tenantId: string, eventId: string, err: unknown): Promise<void> {
  await em.execute(`update stripe_events set status = 'received', attempts = attempts + 1, last_error = ? where tenant_id = ? and id = ? and status = 'unmatched'`, [
    errorText(err),
    tenantId,
    eventId,
  ]);
}

/** Events of a PaymentIntent that arrived before we could match them (a refund before its payment). */
export async function unmatchedEventsOf(em: EntityManager, tenantId: string, paymentIntentId: string): Promise<StripeEventEnvelope[]> {
  const rows = await em.execute<{ payload: StripeEventEnvelope }[]>(
    `select payload from stripe_events where tenant_id = ? and payment_intent_id = ? and status = 'unmatched' order by received_at`,
    [tenantId, paymentIntentId],
  );
  return rows.map((r) => r.payload);
}

/** The invoice an earlier event of this PaymentIntent was matched to. */
export async function invoiceIdOfPaymentIntent(em: EntityManager, tenantId: string, paymentIntentId: string): Promise<string | null> {
  const [row] = await em.execute<{ invoice_id: string }[]>(
    `select invoice_id from stripe_events where tenant_id = ? and payment_intent_id = ? and invoice_id is not null limit 1`,
    [tenantId, paymentIntentId],
  );
  return row?.invoice_id ?? null;
}

/** Events stored but never handed off, least-tried first. */
export async function eventsAwaitingHandoff(em: EntityManager, opts: { olderThanMs: number; limit: number }): Promise<{ tenantId: string; event: StripeEventEnvelope }[]> {
  const rows = await em.execute<{ tenant_id: string; payload: StripeEventEnvelope }[]>(
    `select tenant_id, payload from stripe_events where status = 'received' and received_at < now() - (? * interval '1 millisecond') order by attempts, received_at limit ?`,
    [opts.olderThanMs, opts.limit],
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, event: r.payload }));
}

/** A tenant's events, newest first, `limit + 1` rows from after the keyset `after` (receivedKey, id). */
export async function listStripeEventRows(
  em: EntityManager,
  tenantId: string,
  q: { status?: StripeEventStatus; after?: [string, string]; limit: number },
): Promise<StripeEventRecord[]> {
  const params: unknown[] = [tenantId];
  let sql = `select id, type, status, invoice_id, payment_intent_id, last_error, attempts, received_at, processed_at, payload,
    to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as received_key from stripe_events where tenant_id = ?`;
  if (q.status) {
    sql += ` and status = ?`;
    params.push(q.status);
  }
  if (q.after) {
    sql += ` and (received_at, id) < (?::timestamptz, ?)`;
    params.push(...q.after);
  }
  sql += ` order by received_at desc, id desc limit ?`;
  params.push(q.limit + 1);
  const rows = await em.execute<Record<string, unknown>[]>(sql, params);
  return rows.map((r) => ({
    id: String(r.id),
    type: String(r.type),
    status: r.status as StripeEventStatus,
    invoiceId: (r.invoice_id as string | null) ?? null,
    paymentIntentId: (r.payment_intent_id as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    attempts: Number(r.attempts),
    receivedAt: new Date(r.received_at as string),
    processedAt: r.processed_at ? new Date(r.processed_at as string) : null,
    payload: r.payload,
    receivedKey: String(r.received_key),
  }));
}
