import type { Static } from '@sinclair/typebox';
import type Stripe from 'stripe';
import type { Invoice } from '../../db';
import type { StripeEventRecord } from '../../db/repositories/stripe-events';
import type { StripeSettings } from '../../services/stripe-settings';
import type { CheckoutResponse, CollectionResponse, ReaderResponse, StripeEventResponse, StripeSettingsResponse } from '../schemas/stripe';
import { iso, isoOrNull } from './common';

/** Secrets never leave the server: only their last 4 characters. */
export const stripeSettingsJson = ({ integration: row, webhookUrl }: StripeSettings): Static<typeof StripeSettingsResponse> =>
  row
    ? {
        configured: true,
        secretKeyLast4: row.secretKeyLast4,
        webhookSecretLast4: row.webhookSecretLast4,
        accountId: row.accountId ?? null,
        webhookUrl,
        updatedAt: iso(row.updatedAt),
      }
    : { configured: false, webhookUrl };

export const checkoutJson = ({ session, invoice, amount }: { session: Stripe.Checkout.Session; invoice: Invoice; amount: number }): Static<typeof CheckoutResponse> => ({
  id: session.id,
  url: session.url,
  invoiceId: invoice.id,
  amount,
  currency: invoice.currency,
  expiresAt: session.expires_at ? new Date(session.expires_at * 1000).toISOString() : null,
});

export const readerJson = (r: Stripe.Terminal.Reader): Static<typeof ReaderResponse> => ({
  id: r.id,
  label: r.label ?? null,
  deviceType: r.device_type ?? null,
  serialNumber: r.serial_number ?? null,
  status: r.status ?? null,
  location: typeof r.location === 'string' ? r.location : (r.location?.id ?? null),
});

export const collectionJson = ({ intent, reader, invoice }: { intent: Stripe.PaymentIntent; reader: Stripe.Terminal.Reader; invoice: Invoice }): Static<typeof CollectionResponse> => ({
  paymentIntentId: intent.id,
  invoiceId: invoice.id,
  amount: invoice.due,
  currency: invoice.currency,
  reader: readerJson(reader),
  actionStatus: reader.action?.status ?? null,
});

export const stripeEventJson = (r: StripeEventRecord): Static<typeof StripeEventResponse> => ({
  id: r.id,
  type: r.type,
  status: r.status,
  invoiceId: r.invoiceId,
  paymentIntentId: r.paymentIntentId,
  note: r.lastError,
  attempts: r.attempts,
  receivedAt: iso(r.receivedAt),
  processedAt: isoOrNull(r.processedAt),
  payload: r.payload,
});
