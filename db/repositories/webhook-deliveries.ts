/**
 * webhook_events (the outbox the invoice_events trigger fills), webhook_deliveries and their attempts.
 * The relay fans each outbox row out to the endpoints subscribed to its type; the dispatcher claims
 * due deliveries for a lease (FOR UPDATE SKIP LOCKED in the claiming statement only: several
 * dispatchers never send the same one at once), so a dispatcher that dies leaves them due again when it ends.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { InvoiceFigures, WebhookDeliveryStatus, WebhookEventType } from '../../domain/webhook-events';

export interface OutboxRow {
  id: string;
  tenantId: string;
  historyType: string;
  data: Record<string, unknown>;
}

/** Unrelayed outbox rows, oldest first, locked for this relay's transaction. */
export async function lockUnrelayedEvents(em: EntityManager, limit: number): Promise<OutboxRow[]> {
  return em.execute<OutboxRow[]>(
    `select id, tenant_id as "tenantId", history_type as "historyType", data from webhook_events
     where relayed_at is null order by created_at, sequence limit ? for update skip locked`,
    [limit],
  );
}

/**
 * Marks outbox rows relayed, each as its type (null: no webhook), and creates their deliveries to the
 * tenant's enabled endpoints subscribed to the type that existed when the event was written: one
 * statement for the whole batch. Idempotent: a delivery per (endpoint, event) at most.
 */
export async function relayEvents(em: EntityManager, events: { id: string; type: WebhookEventType | null }[]): Promise<void> {
  if (events.length === 0) return;
  await em.execute(
    `with input as (select * from jsonb_to_recordset(?::jsonb) as r(id uuid, type text)),
     relayed as (
       update webhook_events ev set type = i.type, relayed_at = now() from input i where ev.id = i.id
       returning ev.id, ev.tenant_id, ev.invoice_id, ev.sequence, ev.created_at, ev.type)
     insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, invoice_id, sequence, event_type, status, attempts, queued_at, next_attempt_at, created_at)
     select gen_random_uuid(), r.tenant_id, e.id, r.id, r.invoice_id, r.sequence, r.type, 'pending', 0, now(), now(), date_trunc('milliseconds', now())
       from relayed r join webhook_endpoints e on e.tenant_id = r.tenant_id
      where r.type is not null and e.enabled and e.event_types @> jsonb_build_array(r.type) and e.created_at <= r.created_at
     on conflict (endpoint_id, event_id) do nothing`,
    [JSON.stringify(events)],
    'run',
  );
}

export interface DueDelivery {
  id: string;
  tenantId: string;
  endpointId: string;
  url: string;
  secretEnc: string;
  attempts: number;
  queuedAt: Date;
  eventId: string;
  type: WebhookEventType;
  sequence: number;
  occurredAt: Date;
  invoice: InvoiceFigures;
  data: Record<string, unknown>;
  /** The claim: the delivery is not due again before this instant, and its attempt is recorded only while it still holds. */
  leaseUntil: Date;
}

/**
 * Claims due deliveries of enabled endpoints for `leaseMs`: their next attempt moves to the end of
 * the lease (committed by this one statement), so no other lane or process takes them while they are
 * sent, and a dispatcher that dies mid-send leaves them due again when the lease ends. Per (endpoint,
 * invoice) only the lowest pending sequence is ever due, so a receiver sees an invoice's events in
 * order (a later one waits while an earlier one is in flight or retried, until it succeeds or is given up).
 */
export async function claimDueDeliveries(em: EntityManager, limit: number, leaseMs: number): Promise<DueDelivery[]> {
  const rows = await em.execute<(Omit<DueDelivery, 'queuedAt' | 'occurredAt' | 'leaseUntil'> & { queuedAt: string | Date; occurredAt: string | Date; leaseUntil: string | Date })[]>(
    `with due as (
       select d.id from webhook_deliveries d
       join webhook_endpoints e on e.id = d.endpoint_id and e.enabled
       where d.status = 'pending' and d.next_attempt_at <= now()
         and not exists (select 1 from webhook_deliveries p where p.endpoint_id = d.endpoint_id and p.invoice_id = d.invoice_id and p.status = 'pending' and p.sequence < d.sequence)
       order by d.next_attempt_at, d.sequence
       limit ?
       for update of d skip locked),
     claimed as (
       -- Whole milliseconds: the lease comes back as a JavaScript Date and fences the attempt's record.
       update webhook_deliveries d set next_attempt_at = date_trunc('milliseconds', now() + ? * interval '1 millisecond')
       from due where d.id = due.id
       returning d.*)
     select c.id, c.tenant_id as "tenantId", c.endpoint_id as "endpointId", e.url, e.secret_enc as "secretEnc", c.attempts, c.queued_at as "queuedAt",
            ev.id as "eventId", c.event_type as type, c.sequence, ev.occurred_at as "occurredAt", ev.invoice, ev.data, c.next_attempt_at as "leaseUntil"
     from claimed c
     join webhook_endpoints e on e.id = c.endpoint_id
     join webhook_events ev on ev.id = c.event_id`,
    [limit, leaseMs],
  );
  return rows.map((r) => ({ ...r, queuedAt: new Date(r.queuedAt), occurredAt: new Date(r.occurredAt), leaseUntil: new Date(r.leaseUntil) }));
}

export interface AttemptOutcome {
  startedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The delivery's status after this attempt; `nextAttemptAt` when still pending. */
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date | null;
}

/**
 * One attempt: the delivery's new state and the attempt's row, in one transaction, while the claim
 * still holds. When it does not (the lease ran out and another dispatcher claimed it, or the team
 * redelivered it meanwhile) nothing is recorded: the delivery belongs to the newer claim.
 */
export async function recordAttempt(em: EntityManager, d: Pick<DueDelivery, 'id' | 'leaseUntil'>, attempt: number, o: AttemptOutcome): Promise<void> {
  await em.transactional(async (tx) => {
    const updated = await tx.execute<{ id: string }[]>(
      `update webhook_deliveries set attempts = ?, status = ?, next_attempt_at = ?, last_attempt_at = ?, last_status_code = ?, last_latency_ms = ?, last_error = ?,
         delivered_at = case when ? = 'delivered' then now() else delivered_at end
       where id = ? and status = 'pending' and next_attempt_at = ?
       returning id`,
      [attempt, o.status, o.nextAttemptAt, o.startedAt, o.statusCode, o.latencyMs, o.error, o.status, d.id, d.leaseUntil],
    );
    if (updated.length === 0) return;
    await tx.execute(
      `insert into webhook_delivery_attempts (id, delivery_id, attempt, started_at, status_code, latency_ms, error) values (?, ?, ?, ?, ?, ?, ?)`,
      [uuidv7(), d.id, attempt, o.startedAt, o.statusCode, o.latencyMs, o.error],
    );
  });
}

export interface DeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  invoiceId: string;
  sequence: number;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

const DELIVERY_COLUMNS = `id, endpoint_id as "endpointId", event_id as "eventId", event_type as "eventType", invoice_id as "invoiceId", sequence, status, attempts,
  last_status_code as "lastStatusCode", last_latency_ms as "lastLatencyMs", last_error as "lastError", last_attempt_at as "lastAttemptAt",
  next_attempt_at as "nextAttemptAt", delivered_at as "deliveredAt", created_at as "createdAt"`;

const dates = (r: DeliveryRecord): DeliveryRecord => ({
  ...r,
  lastAttemptAt: r.lastAttemptAt && new Date(r.lastAttemptAt),
  nextAttemptAt: r.status === 'pending' && r.nextAttemptAt ? new Date(r.nextAttemptAt) : null,
  deliveredAt: r.deliveredAt && new Date(r.deliveredAt),
  createdAt: new Date(r.createdAt),
});

/** An endpoint's deliveries, newest first, past the (createdAt, id) key of the previous page. */
export async function listDeliveries(em: EntityManager, tenantId: string, endpointId: string, opts: { limit: number; after?: [string, string]; status?: WebhookDeliveryStatus }): Promise<DeliveryRecord[]> {
  const params: unknown[] = [tenantId, endpointId];
  let where = 'tenant_id = ? and endpoint_id = ?';
  if (opts.status) {
    where += ' and status = ?';
    params.push(opts.status);
  }
  if (opts.after) {
    where += ' and (created_at, id) < (?::timestamptz, ?::uuid)';
    params.push(...opts.after);
  }
  params.push(opts.limit);
  const rows = await em.execute<DeliveryRecord[]>(`select ${DELIVERY_COLUMNS} from webhook_deliveries where ${where} order by created_at desc, id desc limit ?`, params);
  return rows.map(dates);
}

/**
 * Queues a delivery again now, with a fresh retry window (whatever its status). Null: no such
 * delivery of that endpoint of that tenant.
 */
export async function requeueDelivery(em: EntityManager, tenantId: string, endpointId: string, deliveryId: string): Promise<DeliveryRecord | null> {
  const rows = await em.execute<DeliveryRecord[]>(
    `update webhook_deliveries set status = 'pending', next_attempt_at = now(), queued_at = now()
     where id = ? and endpoint_id = ? and tenant_id = ? returning ${DELIVERY_COLUMNS}`,
    [deliveryId, endpointId, tenantId],
  );
  return rows[0] ? dates(rows[0]) : null;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** The attempts of a delivery, in order. */
export async function deliveryAttempts(em: EntityManager, deliveryId: string): Promise<AttemptRecord[]> {
  const rows = await em.execute<AttemptRecord[]>(
    `select attempt, started_at as "startedAt", status_code as "statusCode", latency_ms as "latencyMs", error from webhook_delivery_attempts where delivery_id = ? order by attempt, started_at`,
    [deliveryId],
  );
  return rows.map((r) => ({ ...r, startedAt: new Date(r.startedAt) }));
}
