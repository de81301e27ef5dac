import { randomBytes } from 'node:crypto';
import { fromStripeCurrency, stripeEventAction, toStripeCurrency } from '../../domain/stripe-events';
import { encryptionKeyFrom, open, seal } from '../../lib/secret-box';
import { DomainError } from '../../domain/errors';

test('currency conversion between Stripe lowercase and ISO uppercase', () => {
  expect(fromStripeCurrency('usd')).toBe('USD');
  expect(fromStripeCurrency('jpy')).toBe('JPY');
  expect(fromStripeCurrency('xx1')).toBeNull();
  expect(toStripeCurrency('EUR')).toBe('eur');
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
  expect(stripeEventAction({ type: 'charge.refunded', data: { object: { id: 'ch_1', currency: 'usd' } } }).kind).toBe('invalid');
  expect(stripeEventAction({ type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount_received: 1.5, currency: 'usd' } } }).kind).toBe('invalid');
  expect(stripeEventAction({ type: 'plan.created', data: { object: { id: 'x' } } }).kind).toBe('ignore');
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
