/**
 * Stripe webhooks: verify → persist (dedupe on (tenant, event id)) → hand off to the invoice workflow.
 *
 * Loss-safety: the event row is committed before anything else. The hand-off (signal, or
 * signalWithStart when the invoice workflow has ended) runs inline; if Temporal cannot take it the
 * row stays `received` and the webhook answers 503, so Stripe redelivers; `retryReceivedStripeEvents`
 * (run periodically by the API process) also picks up such rows. Every step is idempotent: the
 * workflow dedupes payments by id (uuid v5 of the PaymentIntent) and reversals by refund/dispute id.
 * A worker being down is harmless: Temporal keeps the signal until the worker is back.
 *
 * A `charge.refunded` whose Charge does not embed its refunds (current API versions) has them listed
 * from Stripe with the tenant's key before the hand-off; Stripe failing is handled like Temporal
 * failing (row stays `received`, 503, retried).
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { v5 as uuidv5 } from 'uuid';
import { Invoice, InvoiceEvent, Payment, PlannedPayment, Tenant } from '../db/entities';
import type { StripeEventStatus } from '../db/stripe-entities';
import { dateIn } from '../domain/dates';
import { DomainError, validationError } from '../domain/errors';
import { chargeRefundedAction, paymentIntentIdOf, stripeEventAction, type StripeEventAction } from '../domain/stripe-events';
import {
  invoiceWorkflowId,
  paymentReceivedSignal,
  paymentReversedSignal,
  SearchAttr,
  type InvoiceCarriedState,
  type PaymentInput,
  type ReversalInput,
} from '../workflows/definitions';
import type { invoiceWorkflow } from '../workflows/invoice';
import type { ServiceDeps, TenantContext } from './context';
import { workflowInputFor } from './invoices';
import { decodeCursor, toPage } from './pagination';
import { listChargeRefunds, loadStripeSecrets } from './stripe-integration';
import { stripeWebhooks } from './stripe-client';

const STRIPE_PAYMENT_NAMESPACE = '9d8a1f4e-3c52-4b8e-a2f0-6e1c7b5d4a93';

/** One payment per PaymentIntent and tenant, whichever event reports it first. */
export const stripePaymentId = (tenantId: string, key: string) => uuidv5(`${tenantId}:stripe:${key}`, STRIPE_PAYMENT_NAMESPACE);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StripeEventEnvelope {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export interface WebhookResult {
  eventId: string;
  status: StripeEventStatus;
  duplicate: boolean;
}

/** The whole webhook: throws DomainErrors (400/404/503) and changes nothing unless the event is authentic. */
export async function receiveStripeWebhook(deps: ServiceDeps, tenantId: string, rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookResult> {
  if (!UUID.test(tenantId)) throw new DomainError('not_found', 'not_found', `no Stripe integration for ${tenantId}`);
  const secrets = await loadStripeSecrets(deps, tenantId);
  if (!secrets) throw new DomainError('not_found', 'stripe_not_configured', `no Stripe integration for ${tenantId}`);
  if (!signature) throw validationError('missing_signature', 'the Stripe-Signature header is required');
  if (!rawBody || rawBody.length === 0) throw validationError('empty_body', 'the webhook body is empty');

  let event: StripeEventEnvelope;
  try {
    event = stripeWebhooks.constructEvent(rawBody, signature, secrets.webhookSecret) as unknown as StripeEventEnvelope;
  } catch (err) {
    if ((err as { type?: string }).type === 'StripeSignatureVerificationError') {
      throw validationError('invalid_signature', 'the Stripe signature does not verify with this account\'s signing secret');
    }
    throw validationError('malformed_payload', 'the webhook body is not a JSON Stripe event');
  }
  if (typeof event?.id !== 'string' || typeof event.type !== 'string' || typeof event.data?.object !== 'object' || event.data.object === null) {
    throw validationError('malformed_payload', 'the webhook body is not a Stripe event (id, type, data.object)');
  }

  const conn = deps.orm.em.getConnection();
  const inserted = await conn.execute<{ status: StripeEventStatus }[]>(
    `insert into stripe_events (tenant_id, id, type, payload, status, payment_intent_id, attempts, received_at)
     values (?, ?, ?, ?::jsonb, 'received', ?, 0, now()) on conflict (tenant_id, id) do nothing returning status`,
    [tenantId, event.id, event.type, rawBody.toString('utf8'), paymentIntentIdOf(event.type, event.data.object)],
  );
  if (inserted.length === 0) {
    const [row] = await conn.execute<{ status: StripeEventStatus }[]>('select status from stripe_events where tenant_id = ? and id = ?', [tenantId, event.id]);
    // Already settled: acknowledge. Still `received` (an earlier delivery failed to hand off, or runs now): retry — idempotent.
    if (row && row.status !== 'received') return { eventId: event.id, status: row.status, duplicate: true };
  }
  try {
    const status = await processStripeEvent(deps, tenantId, event);
    return { eventId: event.id, status, duplicate: inserted.length === 0 };
  } catch (err) {
    // Stored but not handed off: the row stays `received`; Stripe redelivers on 5xx and the sweep retries.
    await noteFailure(deps, tenantId, event.id, err);
    throw new DomainError('unavailable', 'handoff_failed', 'the event was stored but could not be handed to the invoice workflow yet; it will be retried', {
      eventId: event.id,
    });
  }
}

async function setStatus(orm: MikroORM, tenantId: string, eventId: string, status: StripeEventStatus, invoiceId: string | null, error: string | null) {
  await orm.em
    .getConnection()
    .execute(
      `update stripe_events set status = ?, invoice_id = coalesce(?, invoice_id), last_error = ?, attempts = attempts + 1, processed_at = now() where tenant_id = ? and id = ? and status in ('received', 'unmatched')`,
      [status, invoiceId, error, tenantId, eventId],
    );
}

/**
 * Maps one stored event to its invoice and signals the workflow. Returns the final status; throws
 * (row left `received`) when Temporal, or Stripe for a charge's refunds, is unavailable.
 */
export async function processStripeEvent(deps: ServiceDeps, tenantId: string, event: StripeEventEnvelope, redrive = true): Promise<StripeEventStatus> {
  let action = stripeEventAction(event);
  if (action.kind === 'ignore') {
    await setStatus(deps.orm, tenantId, event.id, 'ignored', null, action.reason);
    return 'ignored';
  }
  if (action.kind === 'invalid') {
    await setStatus(deps.orm, tenantId, event.id, 'failed', null, action.reason);
    return 'failed';
  }
  const em = deps.orm.em.fork();
  const invoice = await resolveInvoice(deps, tenantId, action);
  if (!invoice) {
    await setStatus(deps.orm, tenantId, event.id, 'unmatched', null, 'no invoice of this tenant matches the event metadata or its PaymentIntent');
    return 'unmatched';
  }
  if (action.kind === 'list_refunds') {
    // Only for a charge of one of our invoices. Stripe unreachable → throws; the row stays `received`.
    action = chargeRefundedAction(event.data.object, await listChargeRefunds(deps, tenantId, action.chargeId));
    if (action.kind === 'ignore') {
      await setStatus(deps.orm, tenantId, event.id, 'ignored', invoice.id, action.reason);
      return 'ignored';
    }
    if (action.kind === 'invalid') {
      await setStatus(deps.orm, tenantId, event.id, 'failed', invoice.id, action.reason);
      return 'failed';
    }
  }
  const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
  const date = dateIn((event.created || Date.now() / 1000) * 1000, tenant.timeZone);
  const signals: Array<[SignalDefinition<[PaymentInput]> | SignalDefinition<[ReversalInput]>, PaymentInput | ReversalInput]> = [];
  const paymentMsg = (amount: number, key: string, reference: string): PaymentInput => ({
    paymentId: stripePaymentId(tenantId, key),
    contactId: invoice.contact.id,
    amount,
    currency: action.currency,
    date,
    method: 'card',
    reference,
    source: 'stripe',
  });
  if (action.kind === 'payment') {
    signals.push([paymentReceivedSignal, paymentMsg(action.amount, action.paymentKey ?? action.paymentIntentId, action.reference)]);
  } else {
    // Payment first (deduped by id), then the reversals: the result does not depend on delivery order.
    if (action.payment && action.paymentIntentId) {
      signals.push([paymentReceivedSignal, paymentMsg(action.payment.amount, action.paymentIntentId, action.paymentIntentId)]);
    }
    for (const r of action.reversals) {
      signals.push([
        paymentReversedSignal,
        {
          reversalId: r.id,
          paymentId: action.paymentIntentId ? stripePaymentId(tenantId, action.paymentIntentId) : null,
          amount: r.amount,
          kind: r.kind,
          reference: action.chargeId ?? action.paymentIntentId,
        },
      ]);
    }
  }
  await handOff(deps, tenant, invoice, signals);
  await setStatus(deps.orm, tenantId, event.id, 'processed', invoice.id, null);

  // Refunds/disputes that arrived before their payment could not be matched; now they can.
  if (redrive && action.kind === 'payment') {
    const waiting = await deps.orm.em
      .getConnection()
      .execute<{ payload: StripeEventEnvelope }[]>(`select payload from stripe_events where tenant_id = ? and payment_intent_id = ? and status = 'unmatched' order by received_at`, [
        tenantId,
        action.paymentIntentId,
      ]);
    for (const w of waiting) {
      try {
        await processStripeEvent(deps, tenantId, w.payload, false);
      } catch (err) {
        // This event is settled; the waiting one now matches but could not be handed off (Stripe or
        // Temporal unavailable): back to `received`, so the sweep and Stripe's redelivery retry it.
        await deps.orm.em
          .getConnection()
          .execute(`update stripe_events set status = 'received', attempts = attempts + 1, last_error = ? where tenant_id = ? and id = ? and status = 'unmatched'`, [
            String((err as Error)?.message ?? err).slice(0, 1000),
            tenantId,
            w.payload.id,
          ])
          .catch(() => undefined);
      }
    }
  }
  return 'processed';
}

async function resolveInvoice(deps: ServiceDeps, tenantId: string, action: Extract<StripeEventAction, { kind: 'payment' | 'reversal' | 'list_refunds' }>): Promise<Invoice | null> {
  const em = deps.orm.em.fork();
  const { metadata } = action;
  // Metadata naming another tenant is never followed.
  if (metadata.invoiceId && UUID.test(metadata.invoiceId) && (metadata.tenantId === null || metadata.tenantId === tenantId)) {
    const found = await em.findOne(Invoice, { id: metadata.invoiceId, tenant: tenantId }, { populate: ['contact'] });
    if (found) return found;
  }
  if (!action.paymentIntentId) return null;
  const conn = em.getConnection();
  const [viaEvents] = await conn.execute<{ invoice_id: string }[]>(
    `select invoice_id from stripe_events where tenant_id = ? and payment_intent_id = ? and invoice_id is not null limit 1`,
    [tenantId, action.paymentIntentId],
  );
  const invoiceId =
    viaEvents?.invoice_id ??
    (await em.findOne(Payment, { tenant: tenantId, reference: action.paymentIntentId, source: 'stripe', invoice: { $ne: null } }))?.invoice?.id;
  return invoiceId ? em.findOne(Invoice, { id: invoiceId, tenant: tenantId }, { populate: ['contact'] }) : null;
}

async function handOff(
  deps: ServiceDeps,
  tenant: Tenant,
  invoice: Invoice,
  signals: Array<[SignalDefinition<[PaymentInput]> | SignalDefinition<[ReversalInput]>, PaymentInput | ReversalInput]>,
): Promise<void> {
  const handle = deps.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
  for (const [def, arg] of signals) {
    try {
      await handle.signal(def as SignalDefinition<[unknown]>, arg);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The invoice workflow has ended (void, or paid long ago): start a new run from the stored state.
      const input = await restartInputFor(deps, tenant, invoice);
      await deps.temporal.workflow.signalWithStart<typeof invoiceWorkflow, [unknown]>('invoiceWorkflow', {
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        workflowId: invoiceWorkflowId(invoice.id),
        args: [input],
        signal: def as SignalDefinition<[unknown]>,
        signalArgs: [arg],
        typedSearchAttributes: [
          { key: SearchAttr.tenantId, value: invoice.tenant.id },
          { key: SearchAttr.invoiceNumber, value: invoice.number },
          { key: SearchAttr.status, value: invoice.status },
          { key: SearchAttr.contactId, value: invoice.contact.id },
        ],
      });
    }
  }
}

/** Workflow input for a new run of an ended invoice workflow: definition from the rows, state carried from Postgres. */
async function restartInputFor(deps: ServiceDeps, tenant: Tenant, invoice: Invoice) {
  const em = deps.orm.em.fork();
  const fresh = await em.findOneOrFail(Invoice, { id: invoice.id }, { populate: ['contact'] });
  const [plan, payments, reversals] = await Promise.all([
    em.find(PlannedPayment, { invoice: fresh.id }, { orderBy: { seq: 'asc' } }),
    em.find(Payment, { tenant: tenant.id, $or: [{ invoice: fresh.id }, { contact: fresh.contact.id, invoice: null, source: 'stripe' }] }, { fields: ['id'] }),
    em.find(InvoiceEvent, { invoice: fresh.id, type: 'payment_reversed' }),
  ]);
  const input = workflowInputFor(fresh, plan, tenant.timeZone);
  const now = Date.now();
  const carried: InvoiceCarriedState = {
    paid: fresh.paid,
    pastDue: fresh.status === 'overdue',
    voided: fresh.status === 'void',
    version: fresh.stateVersion,
    applied: Object.fromEntries(payments.map((p) => [p.id, fresh.stateVersion])),
    reversed: Object.fromEntries(
      reversals.map((e) => [String(e.data.reversalId), Number(e.data.amountReversed ?? e.data.amount ?? 0)]),
    ),
    firedInstallments: input.plan.filter((p) => p.at <= now).map((p) => p.id),
    paidAt: fresh.status === 'paid' ? fresh.updatedAt.getTime() : null,
  };
  return { ...input, carried };
}

async function noteFailure(deps: ServiceDeps, tenantId: string, eventId: string, err: unknown): Promise<void> {
  await deps.orm.em
    .getConnection()
    .execute(`update stripe_events set attempts = attempts + 1, last_error = ? where tenant_id = ? and id = ? and status = 'received'`, [
      String((err as Error)?.message ?? err).slice(0, 1000),
      tenantId,
      eventId,
    ])
    .catch(() => undefined);
}

/**
 * Recovery sweep: events stored but never handed off (Temporal was down, the process died).
 * Least-tried first, so an event that keeps failing (a revoked key, say) stays visible with its
 * last_error and is still retried, but never holds back newer events.
 */
export async function retryReceivedStripeEvents(deps: ServiceDeps, opts: { olderThanMs?: number; limit?: number } = {}): Promise<{ retried: number; failed: number }> {
  const rows = await deps.orm.em
    .getConnection()
    .execute<{ tenant_id: string; payload: StripeEventEnvelope }[]>(
      `select tenant_id, payload from stripe_events where status = 'received' and received_at < now() - (? * interval '1 millisecond') order by attempts, received_at limit ?`,
      [opts.olderThanMs ?? 30_000, opts.limit ?? 100],
    );
  let failed = 0;
  for (const row of rows) {
    try {
      await processStripeEvent(deps, row.tenant_id, row.payload);
    } catch (err) {
      failed += 1;
      await noteFailure(deps, row.tenant_id, row.payload.id, err);
    }
  }
  return { retried: rows.length - failed, failed };
}

export interface StripeEventListQuery {
  status?: StripeEventStatus;
  limit?: number;
  cursor?: string;
}

export async function listStripeEvents(deps: ServiceDeps, tenant: TenantContext, query: StripeEventListQuery) {
  const limit = query.limit ?? 25;
  const after = decodeCursor(query.cursor, 2);
  const params: unknown[] = [tenant.id];
  let sql = `select id, type, status, invoice_id, payment_intent_id, last_error, attempts, received_at, processed_at, payload,
    to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as received_key from stripe_events where tenant_id = ?`;
  if (query.status) {
    sql += ` and status = ?`;
    params.push(query.status);
  }
  if (after) {
    sql += ` and (received_at, id) < (?::timestamptz, ?)`;
    params.push(String(after[0]), String(after[1]));
  }
  sql += ` order by received_at desc, id desc limit ?`;
  params.push(limit + 1);
  const rows = await deps.orm.em.getConnection().execute<
    { id: string; type: string; status: StripeEventStatus; invoice_id: string | null; payment_intent_id: string | null; last_error: string | null; attempts: number; received_at: Date; processed_at: Date | null; payload: unknown; received_key: string }[]
  >(sql, params);
  const page = toPage(rows, limit, (r) => [r.received_key, r.id]);
  return {
    data: page.rows.map((r) => ({
      id: r.id,
      type: r.type,
      status: r.status,
      invoiceId: r.invoice_id,
      paymentIntentId: r.payment_intent_id,
      note: r.last_error,
      attempts: r.attempts,
      receivedAt: new Date(r.received_at).toISOString(),
      processedAt: r.processed_at ? new Date(r.processed_at).toISOString() : null,
      payload: r.payload,
    })),
    nextCursor: page.nextCursor,
  };
}
