import { randomBytes } from 'node:crypto';
import { assertStripeChargeable, chargeRefundedAction, fromStripeCurrency, isStripeChargeable, refundsReportedBy, refundStatusAfter, stripeEventAction, toStripeCurrency } from '../../domain/stripe-events';
import { encryptionKeyFrom, open, seal } from '../../lib/secret-box';
import { DomainError } from '../../domain/errors';

test('currency conversion between Stripe lowercase and ISO uppercase', () => {
  expect(fromStripeCurrency('usd')).toBe('USD');
  expect(fromStripeCurrency('jpy')).toBe('JPY');
  expect(fromStripeCurrency('xx1')).toBeNull();
  expect(toStripeCurrency('EUR')).toBe('eur');
});

test("card payments only in currencies whose minor unit Stripe counts as ISO 4217 does (else a charge would be 100 times off)", () => {
  for (const c of ['USD', 'EUR', 'JPY', 'KWD', 'HUF', 'IDR']) expect(isStripeChargeable(c)).toBe(true);
  for (const c of ['MGA', 'ISK', 'UGX']) {
    expect(isStripeChargeable(c)).toBe(false);
    expect(() => assertStripeChargeable(c)).toThrow(expect.objectContaining({ code: 'stripe_currency_unsupported', details: { currency: c } }));
    // An event in one of them (a payment made outside the pay page) is not read as ISO minor units.
    const event = { type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount_received: 500, currency: c.toLowerCase(), metadata: { tenant_id: 't', invoice_id: 'i' } } } };
    expect(stripeEventAction(event)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('record this payment by hand') });
  }
});

test('event type → action', () => {
  const md = { tenant_id: 't', invoice_id: 'i' };
  expect(stripeEventAction({ type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount_received: 500, currency: 'jpy', metadata: md } } })).toMatchObject({
    kind: 'payment',
    paymentIntentId: 'pi_1',
    amount: 500,
    currency: 'JPY',
    metadata: { tenantId: 't', invoiceId: 'i' },
  });
  expect(stripeEventAction({ type: 'checkout.session.completed', data: { object: { id: 'cs_1', payment_status: 'unpaid', amount_total: 1, currency: 'usd' } } }).kind).toBe('ignore');
  expect(stripeEventAction({ type: 'checkout.session.async_payment_succeeded', data: { object: { id: 'cs_1', payment_status: 'paid', amount_total: 700, currency: 'usd', payment_intent: { id: 'pi_2' } } } })).toMatchObject({ kind: 'payment', paymentIntentId: 'pi_2' });
  expect(stripeEventAction({ type: 'charge.dispute.closed', data: { object: { id: 'dp_1', amount: 5, currency: 'usd', payment_intent: 'pi_3', status: 'lost' } } })).toMatchObject({ kind: 'reversal', reversals: [{ id: 'dp_1', kind: 'dispute', amount: 5 }] });
  expect(stripeEventAction({ type: 'charge.dispute.closed', data: { object: { id: 'dp_1', amount: 5, currency: 'usd', payment_intent: 'pi_3', status: 'won' } } })).toMatchObject({ kind: 'payment', paymentKey: 'dispute-won:dp_1' });
  expect(stripeEventAction({ type: 'charge.refunded', data: { object: { id: 'ch_1', currency: 'xx1' } } }).kind).toBe('invalid');
  expect(stripeEventAction({ type: 'charge.refunded', data: { object: { currency: 'usd' } } }).kind).toBe('invalid');
  expect(stripeEventAction({ type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount_received: 1.5, currency: 'usd' } } }).kind).toBe('invalid');
  expect(stripeEventAction({ type: 'plan.created', data: { object: { id: 'x' } } }).kind).toBe('ignore');
});

test('charge.refunded: embedded refunds are used; without them (or only a first page) they must be listed, then count like refund.* events', () => {
  const charge = { id: 'ch_1', currency: 'usd', amount: 900, amount_captured: 900, paid: true, status: 'succeeded', payment_intent: 'pi_1', metadata: {} };
  const refunds = [
    { id: 're_1', status: 'succeeded', amount: 300 },
    { id: 're_2', status: 'pending', amount: 200 },
    { id: 're_3', status: 'failed', amount: 100 },
    { id: 're_4', status: 'canceled', amount: 100 },
    { id: 're_1', status: 'succeeded', amount: 300 },
  ];
  const expected = {
    kind: 'reversal',
    paymentIntentId: 'pi_1',
    chargeId: 'ch_1',
    currency: 'USD',
    reversals: [
      { id: 're_1', kind: 'refund', amount: 300 },
      { id: 're_2', kind: 'refund', amount: 200 },
    ],
    payment: { amount: 900 },
  };
  expect(stripeEventAction({ type: 'charge.refunded', data: { object: { ...charge, refunds: { object: 'list', data: refunds, has_more: false } } } })).toEqual({ ...expected, metadata: { tenantId: null, invoiceId: null } });
  const toList = { kind: 'list_refunds', chargeId: 'ch_1', paymentIntentId: 'pi_1', metadata: { tenantId: null, invoiceId: null } };
  expect(stripeEventAction({ type: 'charge.refunded', data: { object: charge } })).toEqual(toList);
  expect(stripeEventAction({ type: 'charge.refunded', data: { object: { ...charge, refunds: null } } })).toEqual(toList);
  expect(stripeEventAction({ type: 'charge.refunded', data: { object: { ...charge, refunds: { object: 'list', data: refunds.slice(0, 1), has_more: true } } } })).toEqual(toList);
  expect(chargeRefundedAction(charge, refunds)).toMatchObject(expected);
  // Consistent with the refund.* path: pending reverses there too; failed/canceled do not.
  expect(stripeEventAction({ type: 'refund.created', data: { object: { id: 're_2', status: 'pending', amount: 200, currency: 'usd' } } })).toMatchObject({ kind: 'reversal', reversals: [{ id: 're_2', amount: 200 }] });
  expect(chargeRefundedAction(charge, [{ id: 're_3', status: 'failed', amount: 100 }]).kind).toBe('ignore');
  expect(chargeRefundedAction(charge, []).kind).toBe('ignore');
  expect(chargeRefundedAction({ ...charge, currency: 'zz9' }, refunds).kind).toBe('invalid');
});

test('a refund reported failed or canceled is a reversal_failed (refund.failed, refund.updated, charge.refund.updated); other statuses as before', () => {
  const refund = { id: 're_9', object: 'refund', amount: 400, currency: 'usd', charge: 'ch_9', payment_intent: 'pi_9', metadata: { tenant_id: 't', invoice_id: 'i' } };
  const failed = { kind: 'reversal_failed', refundId: 're_9', paymentIntentId: 'pi_9', chargeId: 'ch_9', metadata: { tenantId: 't', invoiceId: 'i' } };
  expect(stripeEventAction({ type: 'refund.failed', data: { object: { ...refund, status: 'failed', failure_reason: 'expired_or_canceled_card' } } })).toEqual({ ...failed, reason: 'expired_or_canceled_card' });
  expect(stripeEventAction({ type: 'refund.updated', data: { object: { ...refund, status: 'canceled' } } })).toEqual({ ...failed, reason: null });
  expect(stripeEventAction({ type: 'charge.refund.updated', data: { object: { ...refund, status: 'failed', failure_reason: 'lost_or_stolen_card', payment_intent: { id: 'pi_9' } } } })).toEqual({ ...failed, reason: 'lost_or_stolen_card' });
  expect(stripeEventAction({ type: 'refund.failed', data: { object: { status: 'failed' } } }).kind).toBe('invalid');
  expect(stripeEventAction({ type: 'refund.updated', data: { object: { ...refund, status: 'succeeded' } } })).toMatchObject({ kind: 'reversal', reversals: [{ id: 're_9', amount: 400 }] });
  expect(stripeEventAction({ type: 'refund.updated', data: { object: { ...refund, status: 'weird' } } }).kind).toBe('ignore');
});

test('refunds an event reports (for the refunds table) and how a recorded status moves', () => {
  const r = (id: string, status: string, over: Record<string, unknown> = {}) => ({ id, object: 'refund', amount: 100, currency: 'usd', status, charge: 'ch_1', payment_intent: 'pi_1', reason: null, ...over });
  expect(refundsReportedBy({ type: 'refund.updated', data: { object: r('re_1', 'failed', { failure_reason: 'unknown' }) } })).toEqual([
    { id: 're_1', amount: 100, currency: 'USD', status: 'failed', reason: null, failureReason: 'unknown', paymentIntentId: 'pi_1', chargeId: 'ch_1' },
  ]);
  const charge = { id: 'ch_1', currency: 'usd', refunds: { object: 'list', has_more: false, data: [r('re_1', 'succeeded'), r('re_2', 'canceled'), r('re_1', 'succeeded'), { id: 'x' }] } };
  expect(refundsReportedBy({ type: 'charge.refunded', data: { object: charge } }).map((x) => [x.id, x.status])).toEqual([['re_1', 'succeeded'], ['re_2', 'canceled']]);
  // Listed from Stripe: those win over what the charge embeds.
  expect(refundsReportedBy({ type: 'charge.refunded', data: { object: charge } }, [r('re_3', 'pending')]).map((x) => x.id)).toEqual(['re_3']);
  expect(refundsReportedBy({ type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } })).toEqual([]);
  expect(refundsReportedBy({ type: 'refund.created', data: { object: r('re_4', 'pending', { currency: 'zz9' }) } })).toEqual([]);

  expect(refundStatusAfter(null, 'pending')).toBe('pending');
  expect(refundStatusAfter('pending', 'succeeded')).toBe('succeeded');
  expect(refundStatusAfter('succeeded', 'pending')).toBe('succeeded'); // a late refund.created changes nothing
  expect(refundStatusAfter('succeeded', 'failed')).toBe('failed'); // Stripe can fail a refund after it succeeded
  expect(refundStatusAfter('failed', 'succeeded')).toBe('failed');
  expect(refundStatusAfter('canceled', 'pending')).toBe('canceled');
  expect(refundStatusAfter('requires_action', 'pending')).toBe('pending');
});

test('secret box: AES-256-GCM round trip, bound to its owner, clear error without a key', () => {
  const key = encryptionKeyFrom(randomBytes(32).toString('base64'));
  const sealed = seal(key, 'sk_test_secret', 'stripe:a:secret_key');
  expect(sealed).not.toContain('sk_test_secret');
  expect(open(key, sealed, 'stripe:a:secret_key')).toBe('sk_test_secret');
  expect(() => open(key, sealed, 'stripe:b:secret_key')).toThrow();
  expect(() => encryptionKeyFrom(undefined)).toThrow(DomainError);
  expect(() => encryptionKeyFrom(Buffer.from('short').toString('base64'))).toThrow(/32 bytes/);
});
