/** The pure parts of webhooks: the history → event mapping, the retry schedule, signatures, the SSRF address check. */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INVOICE_EVENT_TYPES } from '../../domain/invoice-events';
import { DEFAULT_RETRY_POLICY, nextAttemptAt, WEBHOOK_SOURCE_TYPES, webhookTypeFor } from '../../domain/webhook-events';
import { checkWebhookSignature, signWebhook } from '../../lib/webhook-signature';
import { isPrivateAddress } from '../../lib/webhook-urls';

test('history types map to webhook events; a reversal is payment.refunded only when it is a refund', () => {
  expect(webhookTypeFor('created', {})).toBe('invoice.created');
  expect(webhookTypeFor('paid', {})).toBe('invoice.paid');
  expect(webhookTypeFor('became_overdue', {})).toBe('invoice.overdue');
  expect(webhookTypeFor('reopened', {})).toBe('invoice.reopened');
  expect(webhookTypeFor('voided', {})).toBe('invoice.voided');
  expect(webhookTypeFor('payment_applied', { amount: 1 })).toBe('payment.created');
  expect(webhookTypeFor('payment_voided', {})).toBe('payment.voided');
  expect(webhookTypeFor('payment_reversed', { kind: 'refund' })).toBe('payment.refunded');
  expect(webhookTypeFor('payment_reversed', { kind: 'dispute' })).toBeNull();
  expect(webhookTypeFor('reminder_sent', {})).toBe('reminder.sent');
  for (const t of ['installment_due', 'attention_needed', 'reminder_scheduled', 'reminder_failed', 'written_off', 'nonsense']) expect(webhookTypeFor(t, {})).toBeNull();
  for (const t of WEBHOOK_SOURCE_TYPES) expect(INVOICE_EVENT_TYPES).toContain(t);
});

test("the outbox trigger captures exactly the domain's source types", () => {
  const sql = readFileSync(join(__dirname, '../../db/migrations/Migration20261203100000_webhooks.ts'), 'utf8');
  const list = /when \(new\.type in \(([^)]*)\)\)/.exec(sql)![1].split(',').map((s) => s.trim().replace(/'/g, ''));
  expect(list.sort()).toEqual([...WEBHOOK_SOURCE_TYPES].sort());
});

test('retries back off exponentially up to the cap and stop after three days', () => {
  const t0 = new Date('2026-12-01T00:00:00Z');
  const waits: number[] = [];
  let now = t0;
  for (let n = 1; ; n++) {
    const at = nextAttemptAt(DEFAULT_RETRY_POLICY, n, t0, now);
    if (!at) break;
    waits.push(at.getTime() - now.getTime());
    now = at;
  }
  expect(waits.slice(0, 4)).toEqual([60_000, 120_000, 240_000, 480_000]);
  expect(Math.max(...waits)).toBe(6 * 3_600_000);
  expect(now.getTime() - t0.getTime()).toBeLessThanOrEqual(3 * 86_400_000);
  expect(now.getTime() - t0.getTime()).toBeGreaterThan(2.5 * 86_400_000);
});

test('signatures: t=…,v1=HMAC-SHA256("t.body"); 300 s tolerance either way', () => {
  const header = signWebhook('whsec_abc', '{"a":1}', 1_800_000_000);
  expect(header).toBe(`t=1800000000,v1=${createHmac('sha256', 'whsec_abc').update('1800000000.{"a":1}').digest('hex')}`);
  expect(checkWebhookSignature('whsec_abc', '{"a":1}', header, { now: 1_800_000_300 })).toBeNull();
  expect(checkWebhookSignature('whsec_abc', '{"a":1}', header, { now: 1_800_000_301 })).toBe('timestamp_outside_tolerance');
  expect(checkWebhookSignature('whsec_abc', '{"a":1}', header, { now: 1_799_999_699 })).toBe('timestamp_outside_tolerance');
  expect(checkWebhookSignature('whsec_abc', '{"a":1}', 'garbage', { now: 1_800_000_000 })).toBe('malformed_header');
  expect(checkWebhookSignature('whsec_abc', '{"a":1}', undefined)).toBe('malformed_header');
  // A roll: one of several v1 values matching is enough.
  expect(checkWebhookSignature('whsec_abc', '{"a":1}', `t=1800000000,v1=${'0'.repeat(64)},${header.split(',')[1]}`, { now: 1_800_000_000 })).toBeNull();
});

test('private, loopback, link-local and mapped addresses are refused; public ones pass', () => {
  for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', 'not-an-ip']) {
    expect([a, isPrivateAddress(a)]).toEqual([a, true]);
  }
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '172.32.0.1']) expect([a, isPrivateAddress(a)]).toEqual([a, false]);
});
