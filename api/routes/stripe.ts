/** Stripe integration settings, Checkout links, Terminal readers and collection, event review (authenticated /v1). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as S from '../schemas';
import { STRIPE_EVENT_STATUSES } from '../../db/stripe-entities';
import type { ServiceDeps } from '../../services/context';
import {
  collectOnTerminal,
  createCheckoutSession,
  deleteStripeSettings,
  getStripeSettings,
  listTerminalReaders,
  putStripeSettings,
  registerTerminalReader,
} from '../../services/stripe-integration';
import { listStripeEvents } from '../../services/stripe-webhooks';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const SettingsBody = Type.Object(
  {
    secretKey: Type.String({ minLength: 8, maxLength: 255 }),
    webhookSecret: Type.String({ minLength: 8, maxLength: 255 }),
    accountId: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  },
  { additionalProperties: false },
);
const SettingsResponse = Type.Object({
  configured: Type.Boolean(),
  secretKeyLast4: Type.Optional(Type.String()),
  webhookSecretLast4: Type.Optional(Type.String()),
  accountId: Type.Optional(Nullable(Type.String())),
  webhookUrl: Type.String(),
  updatedAt: Type.Optional(Type.String()),
});
const CheckoutBody = Type.Union([
  Type.Object(
    { successUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })), cancelUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
const CheckoutResponse = Type.Object({
  id: Type.String(),
  url: Nullable(Type.String()),
  invoiceId: S.Uuid,
  amount: S.MoneyValue,
  currency: S.Currency,
  expiresAt: Nullable(Type.String()),
});
const Reader = Type.Object({
  id: Type.String(),
  label: Nullable(Type.String()),
  deviceType: Nullable(Type.String()),
  serialNumber: Nullable(Type.String()),
  status: Nullable(Type.String()),
  location: Nullable(Type.String()),
});
const ReaderBody = Type.Object(
  { registrationCode: Type.String({ minLength: 1, maxLength: 255 }), label: Type.String({ minLength: 1, maxLength: 255 }), location: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) },
  { additionalProperties: false },
);
const CollectionBody = Type.Object({ readerId: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });
const CollectionResponse = Type.Object({
  paymentIntentId: Type.String(),
  invoiceId: S.Uuid,
  amount: S.MoneyValue,
  currency: S.Currency,
  reader: Reader,
  actionStatus: Nullable(Type.String()),
});
const EventListQuery = Type.Object(
  {
    status: Type.Optional(Type.Unsafe<(typeof STRIPE_EVENT_STATUSES)[number]>({ type: 'string', enum: [...STRIPE_EVENT_STATUSES] })),
    limit: S.ListQueryBase.limit,
    cursor: S.ListQueryBase.cursor,
  },
  { additionalProperties: false },
);
const EventEntry = Type.Object({
  id: Type.String(),
  type: Type.String(),
  status: Type.String(),
  invoiceId: Nullable(S.Uuid),
  paymentIntentId: Nullable(Type.String()),
  note: Nullable(Type.String()),
  attempts: Type.Integer(),
  receivedAt: Type.String(),
  processedAt: Nullable(Type.String()),
  payload: Type.Unknown(),
});

export const stripeRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  const tags = ['stripe'];
  app.get('/integrations/stripe', { schema: { tags, response: { 200: SettingsResponse } } }, async (req) => getStripeSettings(deps, req.tenant));
  app.put('/integrations/stripe', { schema: { tags, body: SettingsBody, response: { 200: SettingsResponse } } }, async (req) => putStripeSettings(deps, req.tenant, req.body));
  app.delete('/integrations/stripe', { schema: { tags } }, async (req, reply) => {
    await deleteStripeSettings(deps, req.tenant);
    return reply.status(204).send();
  });
  app.get('/integrations/stripe/events', { schema: { tags, querystring: EventListQuery, response: { 200: S.Page(EventEntry) } } }, async (req) =>
    listStripeEvents(deps, req.tenant, req.query),
  );
  app.post('/integrations/stripe/terminal/readers', { schema: { tags, headers: S.IdempotencyHeaders, body: ReaderBody, response: { 201: Reader } } }, async (req, reply) =>
    reply.status(201).send(await registerTerminalReader(deps, req.tenant, req.body, req.idempotencyKey)),
  );
  app.get('/integrations/stripe/terminal/readers', { schema: { tags, response: { 200: S.Page(Reader) } } }, async (req) => listTerminalReaders(deps, req.tenant));
  app.post('/invoices/:id/checkout', { schema: { tags, params: S.IdParams, headers: S.IdempotencyHeaders, body: Type.Optional(CheckoutBody), response: { 201: CheckoutResponse } } }, async (req, reply) =>
    reply.status(201).send(await createCheckoutSession(deps, req.tenant, req.params.id, req.body ?? {}, req.idempotencyKey)),
  );
  app.post(
    '/invoices/:id/terminal-collections',
    { schema: { tags, params: S.IdParams, headers: S.IdempotencyHeaders, body: CollectionBody, response: { 201: CollectionResponse } } },
    async (req, reply) => reply.status(201).send(await collectOnTerminal(deps, req.tenant, req.params.id, req.body, req.idempotencyKey)),
  );
};
