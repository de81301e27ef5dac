/**
 * The Stripe webhook: verify → persist (deduplicated on (tenant, event id)) → hand off. Nothing
 * changes unless the event is authentic, and the event row is committed before anything acts on it:
 * if the hand-off fails the row stays `received`, the webhook answers 503 so Stripe redelivers, and
 * the sweep (stripe-events.ts) retries it too. A worker being down is harmless: Temporal keeps the signal.
 */
import { storeStripeEvent, noteStripeEventFailure, type StripeEventEnvelope } from '../db/repositories/stripe-events';
import { DomainError, validationError } from '../domain/errors';
import { isUuid } from '../domain/ids';
import { paymentIntentIdOf, type StripeEventStatus } from '../domain/stripe-events';
import { firstUnstorableText } from '../domain/text';
import type { ServiceDeps } from './context';
import { stripeWebhooks } from './stripe-client';
import { handOffStripeEvent } from './stripe-handoff';
import { loadStripeSecrets } from './stripe-settings';

export interface WebhookResult {
  eventId: string;
  status: StripeEventStatus;
  duplicate: boolean;
}

/** The authentic event in the body, or a 400 that changes nothing. */
function verifiedEvent(rawBody: Buffer, signature: string, webhookSecret: string): StripeEventEnvelope {
  let event: StripeEventEnvelope;
  try {
    event = stripeWebhooks.constructEvent(rawBody, signature, webhookSecret) as unknown as StripeEventEnvelope;
  } catch (err) {
    if ((err as { type?: string }).type === 'StripeSignatureVerificationError') {
      throw validationError('invalid_signature', "the Stripe signature does not verify with this account's signing secret");
    }
    throw validationError('malformed_payload', 'the webhook body is not a JSON Stripe event');
  }
  if (typeof event?.id !== 'string' || typeof event.type !== 'string' || typeof event.data?.object !== 'object' || event.data.object === null) {
    throw validationError('malformed_payload', 'the webhook body is not a Stripe event (id, type, data.object)');
  }
  const unstorable = firstUnstorableText(event);
  if (unstorable !== null) throw validationError('malformed_payload', `the event holds text that cannot be stored (${unstorable})`, { path: unstorable });
  return event;
}

/** The whole webhook: throws DomainErrors (400/404/503). */
export async function receiveStripeWebhook(deps: ServiceDeps, tenantId: string, rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookResult> {
  if (!isUuid(tenantId)) throw new DomainError('not_found', 'not_found', `no Stripe integration for ${tenantId}`);
  const secrets = await loadStripeSecrets(deps, tenantId);
  if (!secrets) throw new DomainError('not_found', 'stripe_not_configured', `no Stripe integration for ${tenantId}`);
  if (!signature) throw validationError('missing_signature', 'the Stripe-Signature header is required');
  if (!rawBody || rawBody.length === 0) throw validationError('empty_body', 'the webhook body is empty');
  const event = verifiedEvent(rawBody, signature, secrets.webhookSecret);

  const stored = await storeStripeEvent(deps.em, tenantId, event, rawBody.toString('utf8'), paymentIntentIdOf(event.type, event.data.object));
  // Already settled: acknowledge. Still `received` (an earlier delivery failed to hand off, or runs now): retry — idempotent.
  if (!stored.inserted && stored.status && stored.status !== 'received') return { eventId: event.id, status: stored.status, duplicate: true };
  try {
    const status = await handOffStripeEvent(deps, tenantId, event);
    return { eventId: event.id, status, duplicate: !stored.inserted };
  } catch (err) {
    // Stored but not handed off: the row stays `received`; Stripe redelivers on 5xx and the sweep retries.
    await noteStripeEventFailure(deps.em, tenantId, event.id, err).catch(() => undefined);
    throw new DomainError('unavailable', 'handoff_failed', 'the event was stored but could not be handed to the invoice workflow yet; it will be retried', { eventId: event.id }, { cause: err });
  }
}
