import { Type } from '@sinclair/typebox';
import { STRIPE_EVENT_STATUSES, STRIPE_SECRET_KEY_PATTERN, WEBHOOK_SECRET_PATTERN } from '../../domain/stripe-events';
import { Currency, literals, MoneyValue, Nullable, PageQuery, Text, Uuid } from './common';

export const StripeSettingsBody = Type.Object(
  {
    secretKey: Type.String({ minLength: 8, maxLength: 255, pattern: STRIPE_SECRET_KEY_PATTERN, description: 'secret (sk_…) or restricted (rk_…) key; stored encrypted, shown by its last 4 characters', examples: ['sk_test_51Nx0example0key'] }),
    webhookSecret: Type.String({ minLength: 8, maxLength: 255, pattern: WEBHOOK_SECRET_PATTERN, description: "the webhook endpoint's signing secret", examples: ['whsec_0example0signing0secret'] }),
    accountId: Type.Optional(Nullable(Text({ maxLength: 255, examples: ['acct_1Nx0example'] }))),
  },
  { additionalProperties: false },
);
export const StripeSettingsResponse = Type.Object({
  configured: Type.Boolean(),
  secretKeyLast4: Type.Optional(Type.String()),
  webhookSecretLast4: Type.Optional(Type.String()),
  accountId: Type.Optional(Nullable(Type.String())),
  webhookUrl: Type.String(),
  updatedAt: Type.Optional(Type.String()),
});
export const CheckoutBody = Type.Union([
  Type.Object(
    { successUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })), cancelUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
export const CheckoutResponse = Type.Object({
  id: Type.String(),
  url: Nullable(Type.String()),
  invoiceId: Uuid,
  amount: MoneyValue,
  currency: Currency,
  expiresAt: Nullable(Type.String()),
});
export const ReaderResponse = Type.Object({
  id: Type.String(),
  label: Nullable(Type.String()),
  deviceType: Nullable(Type.String()),
  serialNumber: Nullable(Type.String()),
  status: Nullable(Type.String()),
  location: Nullable(Type.String()),
});
export const ReaderBody = Type.Object(
  {
    registrationCode: Text({ minLength: 1, maxLength: 255, description: 'the code the reader shows', examples: ['simulated-wpe'] }),
    label: Text({ minLength: 1, maxLength: 255, examples: ['Front desk'] }),
    location: Type.Optional(Text({ minLength: 1, maxLength: 255, description: 'Stripe Terminal location id', examples: ['tml_1Nx0example'] })),
  },
  { additionalProperties: false },
);
export const CollectionBody = Type.Object({ readerId: Text({ minLength: 1, maxLength: 255, examples: ['tmr_1Nx0example'] }) }, { additionalProperties: false });
export const CollectionResponse = Type.Object({
  paymentIntentId: Type.String(),
  invoiceId: Uuid,
  amount: MoneyValue,
  currency: Currency,
  reader: ReaderResponse,
  actionStatus: Nullable(Type.String()),
});
export const StripeEventListQuery = Type.Object(
  {
    status: Type.Optional(literals(STRIPE_EVENT_STATUSES)),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export const StripeEventResponse = Type.Object({
  id: Type.String(),
  type: Type.String(),
  status: Type.String(),
  invoiceId: Nullable(Uuid),
  paymentIntentId: Nullable(Type.String()),
  note: Nullable(Type.String()),
  attempts: Type.Integer(),
  receivedAt: Type.String(),
  processedAt: Nullable(Type.String()),
  payload: Type.Unknown(),
});

export const StripeWebhookParams = Type.Object({ tenantId: Text({ maxLength: 64, description: 'the account id, as in the webhook URL of GET /v1/integrations/stripe' }) });
export const StripeWebhookResponse = Type.Object({ received: Type.Boolean(), eventId: Type.String(), status: Type.String(), duplicate: Type.Boolean() });
