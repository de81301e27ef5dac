/**
 * Outbound webhooks: the event types a CRM can subscribe to, how each derives from a row of the
 * invoice's history (invoice_events), the payload, and the retry schedule. Pure.
 */
import type { InvoiceEventType } from './invoice-events';
import { validationError } from './errors';

export const WEBHOOK_EVENT_TYPES = [
  'invoice.created',
  'invoice.paid',
  'invoice.overdue',
  'invoice.reopened',
  'invoice.voided',
  'payment.created',
  'payment.voided',
  'payment.refunded',
  'reminder.sent',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const BY_HISTORY_TYPE: Partial<Record<InvoiceEventType, WebhookEventType>> = {
  created: 'invoice.created',
  paid: 'invoice.paid',
  became_overdue: 'invoice.overdue',
  reopened: 'invoice.reopened',
  voided: 'invoice.voided',
  payment_applied: 'payment.created',
  payment_voided: 'payment.voided',
  payment_reversed: 'payment.refunded',
  reminder_sent: 'reminder.sent',
};

/**
 * The history types the outbox trigger captures (its SQL names the same list; a test compares them).
 * The trigger only narrows; webhookTypeFor decides.
 */
export const WEBHOOK_SOURCE_TYPES = Object.keys(BY_HISTORY_TYPE) as InvoiceEventType[];

/** The webhook event a history row means, or null (a reversal that is not a refund, e.g. a dispute). */
export function webhookTypeFor(historyType: string, data: Record<string, unknown>): WebhookEventType | null {
  const type = BY_HISTORY_TYPE[historyType as InvoiceEventType] ?? null;
  if (historyType === 'payment_reversed' && data.kind !== 'refund') return null;
  return type;
}

/** The invoice's figures at the moment the history row was written (captured by the trigger). */
export interface InvoiceFigures {
  id: string;
  number: string;
  status: string;
  total: number;
  paid: number;
  due: number;
  currency: string;
  contactId: string;
}

export interface WebhookPayload {
  /** The history row's id: stable across retries and redeliveries, for deduplication. */
  id: string;
  type: WebhookEventType;
  /** When the history row was written (ISO 8601). */
  createdAt: string;
  /** Order of this invoice's webhook events (increasing, gaps allowed). */
  sequence: number;
  data: { invoice: InvoiceFigures; event: Record<string, unknown> };
}

export function webhookPayload(e: { id: string; type: WebhookEventType; occurredAt: Date; sequence: number; invoice: InvoiceFigures; data: Record<string, unknown> }): WebhookPayload {
  return { id: e.id, type: e.type, createdAt: e.occurredAt.toISOString(), sequence: e.sequence, data: { invoice: e.invoice, event: e.data } };
}

export function assertWebhookEventTypes(types: readonly string[]): WebhookEventType[] {
  const unknown = types.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) throw validationError('invalid_event_type', `unknown event types: ${unknown.join(', ')}`, { field: 'eventTypes', value: unknown, allowed: WEBHOOK_EVENT_TYPES });
  if (types.length === 0) throw validationError('invalid_event_type', 'eventTypes must name at least one event type', { field: 'eventTypes', allowed: WEBHOOK_EVENT_TYPES });
  return [...new Set(types)] as WebhookEventType[];
}

export interface RetryPolicy {
  /** Delay before the second attempt; doubles per attempt. */
  baseMs: number;
  /** No single wait is longer. */
  maxMs: number;
  /** After this long since the delivery was (re)queued, it is given up. */
  windowMs: number;
}

/** Three days of retries: 1 min, 2, 4, … capped at 6 h (about 17 attempts). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 60_000, maxMs: 6 * 3_600_000, windowMs: 3 * 86_400_000 };

/**
 * When to try again after `attempts` failed attempts, or null when the window is over (given up).
 * `queuedAt`: when the delivery was created or last redelivered.
 */
export function nextAttemptAt(policy: RetryPolicy, attempts: number, queuedAt: Date, now: Date): Date | null {
  const wait = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  const at = now.getTime() + wait;
  return at > queuedAt.getTime() + policy.windowMs ? null : new Date(at);
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** A 2xx answer is a delivery; anything else (or no answer) is retried. */
export const isDelivered = (statusCode: number | null) => statusCode !== null && statusCode >= 200 && statusCode < 300;

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
