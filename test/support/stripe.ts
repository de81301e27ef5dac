/**
 * Stripe test helpers: the real test stack with encryption + Stripe host configured, webhook payloads
 * built from the vendored real Stripe fixtures and signed with the SDK, and a local fake of the few
 * Stripe API endpoints the services call.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { createTestStack, createTestTenant, type TestStack } from './stack';
import type { ServiceDeps } from '../../services/context';
import { StripeEvent } from '../../db/index';
import { eventually, readInvoice } from './fixtures';
import { forwardTo, perFile } from './hooks';

import eventFixture from '../fixtures/stripe/event.json';
import paymentIntentFixture from '../fixtures/stripe/payment_intent.json';
import checkoutSessionFixture from '../fixtures/stripe/checkout_session.json';
import chargeFixture from '../fixtures/stripe/charge.json';
import refundFixture from '../fixtures/stripe/refund.json';
import disputeFixture from '../fixtures/stripe/dispute.json';
import terminalReaderFixture from '../fixtures/stripe/terminal_reader.json';

export const fixtures = { eventFixture, paymentIntentFixture, checkoutSessionFixture, chargeFixture, refundFixture, disputeFixture, terminalReaderFixture };
export const TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const rid = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
export { rid };

/** The shared test stack, with the config the Stripe services read filled in (same object the app holds). */
export async function createStripeTestStack(extra: Partial<ServiceDeps['config']> = {}): Promise<TestStack> {
  const stack = await createTestStack();
  Object.assign(stack.process.config, { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...extra });
  return stack;
}

/** The Stripe test stack for the whole file: created in beforeAll, closed in afterAll (see ./hooks). */
export function useStripeTestStack(extra: Partial<ServiceDeps['config']> = {}): TestStack {
  return perFile(() => createStripeTestStack(extra), { close: (stack) => stack.close() });
}

export type Request = Awaited<ReturnType<typeof createTestTenant>>['request'];

/** A tenant with a Stripe integration saved through the API. */
export async function createStripeTenant(stack: TestStack, opts: { secretKey?: string } = {}) {
  const tenant = await createTestTenant(stack);
  const webhookSecret = `whsec_${randomBytes(18).toString('hex')}`;
  const secretKey = opts.secretKey ?? `sk_test_${randomBytes(18).toString('hex')}`;
  const res = await tenant.request('PUT', '/v1/integrations/stripe', { secretKey, webhookSecret });
  if (res.status !== 200) throw new Error(`integration: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...tenant, webhookSecret, secretKey };
}

// ---- events --------------------------------------------------------------------------------------

export function stripeEvent(type: string, object: Record<string, unknown>, over: { id?: string; created?: number } = {}) {
  return { ...clone(eventFixture), id: over.id ?? rid('evt'), type, created: over.created ?? Math.floor(Date.now() / 1000), api_version: '2026-10-28.endive', data: { object } };
}

export function paymentIntentObject(o: { id?: string; amount: number; currency?: string; tenantId?: string; invoiceId?: string; type?: 'card' | 'card_present' }) {
  const id = o.id ?? rid('pi');
  return {
    ...clone(paymentIntentFixture),
    id,
    amount: o.amount,
    amount_received: o.amount,
    currency: o.currency ?? 'usd',
    status: 'succeeded',
    last_error: null,
    last_payment_error: null,
    payment_method_types: [o.type ?? 'card'],
    latest_charge: rid('ch'),
    metadata: o.tenantId ? { tenant_id: o.tenantId, invoice_id: o.invoiceId } : {},
  };
}

export function checkoutSessionObject(o: { paymentIntentId: string; amount: number; tenantId: string; invoiceId: string; paymentStatus?: string }) {
  return {
    ...clone(checkoutSessionFixture),
    id: rid('cs_test'),
    amount_total: o.amount,
    amount_subtotal: o.amount,
    currency: 'usd',
    payment_intent: o.paymentIntentId,
    payment_status: o.paymentStatus ?? 'paid',
    status: 'complete',
    metadata: { tenant_id: o.tenantId, invoice_id: o.invoiceId },
  };
}

export function refundObject(o: { chargeId: string; paymentIntentId: string; amount: number; id?: string; status?: string }) {
  return { ...clone(refundFixture), id: o.id ?? rid('re'), amount: o.amount, currency: 'usd', charge: o.chargeId, payment_intent: o.paymentIntentId, status: o.status ?? 'succeeded' };
}

/** A charge of `paymentIntentId` with its refunds list (no metadata: refunds map through the PaymentIntent). */
export function refundedChargeObject(o: { paymentIntentId: string; amount: number; refunds: { id?: string; amount: number; status?: string }[] }) {
  const chargeId = rid('ch');
  const refunds = o.refunds.map((r) => refundObject({ ...r, chargeId, paymentIntentId: o.paymentIntentId }));
  const refunded = refunds.reduce((s, r) => s + r.amount, 0);
  return {
    ...clone(chargeFixture),
    id: chargeId,
    amount: o.amount,
    amount_captured: o.amount,
    amount_refunded: refunded,
    captured: true,
    paid: true,
    status: 'succeeded',
    refunded: refunded >= o.amount,
    payment_intent: o.paymentIntentId,
    metadata: {},
    refunds: { ...clone(chargeFixture.refunds), data: refunds, url: `/v1/charges/${chargeId}/refunds` },
  };
}

/**
 * The same charge as current API versions send it in `charge.refunded`: `refunds` is not embedded
 * (only expandable). Returns the charge and its refunds, for the fake's GET /v1/refunds.
 */
export function refundedChargeWithoutRefunds(o: Parameters<typeof refundedChargeObject>[0]) {
  const { refunds, ...charge } = refundedChargeObject(o);
  return { charge, refunds: refunds.data };
}

export function disputeObject(o: { paymentIntentId: string; amount: number; status?: string; id?: string }) {
  return { ...clone(disputeFixture), id: o.id ?? rid('dp'), amount: o.amount, currency: 'usd', payment_intent: o.paymentIntentId, status: o.status ?? 'needs_response' };
}

/** Sends a webhook exactly as Stripe does: raw JSON body + Stripe-Signature made by the SDK. */
export async function deliver(stack: TestStack, tenantId: string, payload: unknown, secret: string, opts: { rawBody?: string; signature?: string | null } = {}) {
  const body = opts.rawBody ?? JSON.stringify(payload, null, 2);
  const signature = opts.signature === undefined ? Stripe.webhooks.generateTestHeaderString({ payload: body, secret }) : opts.signature;
  const res = await stack.app.inject({
    method: 'POST',
    url: `/v1/webhooks/stripe/${tenantId}`,
    payload: body,
    headers: { 'content-type': 'application/json; charset=utf-8', ...(signature !== null && { 'stripe-signature': signature }) },
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

// ---- a local fake of Stripe's API ------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Form-encoded body as a flat map: `payment_intent_data[metadata][invoice_id]` → value. */
  form: Record<string, string>;
  /** The Idempotency-Key header the SDK sent (POSTs), if any. */
  idempotencyKey: string | null;
}

export const FAKE_STRIPE_KEY = 'sk_test_fake_stripe_key_0001';

export interface FakeStripeState {
  /** Charge id → its refunds, newest first as Stripe lists them (GET /v1/refunds?charge=…). */
  refunds: Map<string, Record<string, unknown>[]>;
  /** Most refunds per page whatever `limit` asks (exercises the SDK's auto-pagination). */
  pageSize: number;
  /** When set, every request is answered with this HTTP status and a Stripe api_error. */
  failWith: number | null;
  /**
   * When true, Checkout sessions get a URL on this fake (/checkout/<id>) that redirects straight to
   * their success_url, as if the customer had paid: a browser test can go through Checkout.
   */
  hostedCheckout: boolean;
  /** Status of the refunds POST /v1/refunds creates (Stripe answers card refunds `succeeded` or `pending`). */
  refundStatus: string;
  /** PaymentIntent id → its charge and amount; refunds beyond the amount are refused as Stripe does. Unknown ones get a charge, no limit. */
  paymentIntents: Map<string, { chargeId: string; amount?: number }>;
  /** Idempotency-Key → the refund created with it: a retry gets the same refund back, as from Stripe. */
  refundsByKey: Map<string, Record<string, unknown>>;
  /** Runs after a refund is created and before it is answered (a webhook Stripe sends that fast). */
  onRefundCreated: ((refund: Record<string, unknown>) => Promise<void>) | null;
}

/** `anyKey`: every sk_/rk_ key is accepted (the contract test's tenants save generated keys). */
export async function startFakeStripe(opts: { anyKey?: boolean; port?: number } = {}): Promise<{ server: Server; port: number; requests: RecordedRequest[]; state: FakeStripeState; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const state: FakeStripeState = { refunds: new Map(), pageSize: 100, failWith: null, hostedCheckout: false, refundStatus: 'succeeded', paymentIntents: new Map(), refundsByKey: new Map(), onRefundCreated: null };
  const checkoutReturns = new Map<string, string>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const form = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.search : raw));
      const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, form, idempotencyKey });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': rid('req') });
        res.end(JSON.stringify(body));
      };
      const metadata = (prefix: string) =>
        Object.fromEntries(Object.entries(form).flatMap(([k, v]) => (k.startsWith(`${prefix}[`) ? [[k.slice(prefix.length + 1, -1), v]] : [])));
      const hosted = /^\/checkout\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && hosted && checkoutReturns.has(hosted[1])) {
        res.writeHead(303, { location: checkoutReturns.get(hosted[1]) });
        return res.end();
      }
      if (state.failWith !== null) {
        return send(state.failWith, { error: { type: 'api_error', message: 'fake Stripe outage' } });
      }
      if (opts.anyKey ? !/^Bearer (sk|rk)_/.test(req.headers.authorization ?? '') : req.headers.authorization !== 'Bearer sk_test_fake_stripe_key_0001') {
        return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      }
      if (req.method === 'GET' && url.pathname === '/v1/refunds') {
        const all = form.charge ? (state.refunds.get(form.charge) ?? []) : [...state.refunds.values()].flat().filter((r) => !form.payment_intent || r.payment_intent === form.payment_intent);
        const start = form.starting_after ? all.findIndex((r) => r.id === form.starting_after) + 1 : 0;
        const size = Math.min(Number(form.limit ?? 10), state.pageSize);
        const data = all.slice(start, start + size);
        return send(200, { object: 'list', url: '/v1/refunds', has_more: start + size < all.length, data });
      }
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        const replay = idempotencyKey ? state.refundsByKey.get(idempotencyKey) : undefined;
        if (replay) return send(200, replay);
        const pi = form.payment_intent;
        if (!pi) return send(400, { error: { type: 'invalid_request_error', code: 'parameter_missing', message: 'Must provide charge or payment_intent' } });
        const known = state.paymentIntents.get(pi) ?? { chargeId: rid('ch') };
        state.paymentIntents.set(pi, known);
        const earlier = state.refunds.get(known.chargeId) ?? [];
        const refunded = earlier.filter((r) => !['failed', 'canceled'].includes(String(r.status))).reduce((sum, r) => sum + Number(r.amount), 0);
        const amount = form.amount ? Number(form.amount) : (known.amount ?? 0) - refunded;
        if (known.amount !== undefined && refunded + amount > known.amount) {
          return send(400, { error: { type: 'invalid_request_error', code: 'charge_already_refunded', message: `Charge ${known.chargeId} has already been refunded.` } });
        }
        const refund = {
          ...clone(refundFixture),
          id: rid('re'),
          amount,
          currency: 'usd',
          charge: known.chargeId,
          payment_intent: pi,
          created: Math.floor(Date.now() / 1000),
          metadata: metadata('metadata'),
          reason: form.reason ?? null,
          status: state.refundStatus,
        };
        state.refunds.set(known.chargeId, [refund, ...earlier]);
        if (idempotencyKey) state.refundsByKey.set(idempotencyKey, refund);
        if (!state.onRefundCreated) return send(200, refund);
        return void state.onRefundCreated(refund).then(
          () => send(200, refund),
          (err) => send(500, { error: { type: 'api_error', message: `fake hook failed: ${String(err)}` } }),
        );
      }
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const id = rid('cs_test');
        if (state.hostedCheckout && form.success_url) checkoutReturns.set(id, form.success_url);
        return send(200, {
          ...clone(checkoutSessionFixture),
          id,
          url: state.hostedCheckout ? `http://127.0.0.1:${port}/checkout/${id}` : `https://checkout.stripe.com/c/pay/${id}`,
          expires_at: Math.floor(Date.now() / 1000) + 86_400,
          amount_total: Number(form['line_items[0][price_data][unit_amount]']),
          currency: form['line_items[0][price_data][currency]'],
          metadata: metadata('metadata'),
          payment_intent: null,
          payment_status: 'unpaid',
        });
      }
      if (req.method === 'POST' && url.pathname === '/v1/terminal/readers') {
        return send(200, { ...clone(terminalReaderFixture), id: rid('tmr'), label: form.label, location: form.location ?? null, action: null });
      }
      if (req.method === 'GET' && url.pathname === '/v1/terminal/readers') {
        return send(200, { object: 'list', url: '/v1/terminal/readers', has_more: false, data: [{ ...clone(terminalReaderFixture), action: null }] });
      }
      if (req.method === 'POST' && url.pathname === '/v1/payment_intents') {
        return send(200, {
          ...clone(paymentIntentFixture),
          id: rid('pi'),
          amount: Number(form.amount),
          currency: form.currency,
          capture_method: form.capture_method,
          payment_method_types: ['card_present'],
          metadata: metadata('metadata'),
          status: 'requires_payment_method',
        });
      }
      const process = /^\/v1\/terminal\/readers\/([^/]+)\/process_payment_intent$/.exec(url.pathname);
      if (req.method === 'POST' && process) {
        if (process[1] === 'tmr_offline') {
          return send(400, { error: { type: 'invalid_request_error', code: 'terminal_reader_offline', message: 'Reader is offline' } });
        }
        return send(200, {
          ...clone(terminalReaderFixture),
          id: process[1],
          action: { type: 'process_payment_intent', status: 'in_progress', failure_code: null, failure_message: null, process_payment_intent: { payment_intent: form.payment_intent } },
        });
      }
      return send(404, { error: { type: 'invalid_request_error', message: `no fake for ${req.method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    requests,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The tenant's stored Stripe events, oldest first. */
export const stripeEventRows = (stack: TestStack, tenantId: string) =>
  stack.orm.em.fork().find(StripeEvent, { tenant: tenantId }, { orderBy: { receivedAt: 'asc' } });

/** Waits until the workflow's activity has written the expected balance/status to Postgres. */
export const invoiceSettles = (stack: TestStack, invoiceId: string, expected: Partial<{ status: string; paid: number; due: number }>, timeoutMs?: number) =>
  eventually(async () => {
    const row = await readInvoice(stack.orm, invoiceId);
    expect(row).toMatchObject(expected);
    return row;
  }, timeoutMs);

/** A test stack whose Stripe SDK talks to a fresh local fake; `reset()` clears it between tests. */
export async function createFakeStripeStack() {
  const fake = await startFakeStripe();
  const stack = await createStripeTestStack({ STRIPE_API_HOST: '127.0.0.1', STRIPE_API_PORT: fake.port, STRIPE_API_PROTOCOL: 'http' });
  return {
    fake,
    stack,
    reset() {
      fake.requests.length = 0;
      fake.state.refunds.clear();
      fake.state.pageSize = 100;
      fake.state.failWith = null;
      fake.state.hostedCheckout = false;
      fake.state.refundStatus = 'succeeded';
      fake.state.paymentIntents.clear();
      fake.state.refundsByKey.clear();
      fake.state.onRefundCreated = null;
    },
    async close() {
      await stack.close();
      await fake.close();
    },
  };
}

export type FakeStripeStack = Awaited<ReturnType<typeof createFakeStripeStack>>;

/**
 * The fake-Stripe test stack for the whole file: created in beforeAll, closed in afterAll, the fake
 * reset before each test (see ./hooks). `stack` and `fake` stand in for `env.stack` and `env.fake`.
 */
export function useFakeStripeStack(): { env: FakeStripeStack; stack: TestStack; fake: FakeStripeStack['fake'] } {
  const env = perFile(createFakeStripeStack, { close: (e) => e.close(), beforeEach: (e) => e.reset() });
  return { env, stack: forwardTo(() => env.stack), fake: forwardTo(() => env.fake) };
}
