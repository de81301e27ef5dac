/**
 * Payment Updates under duplication and concurrency, on the real time-skipping test server with a
 * real worker writing to Postgres.
 */
import { fromFailure } from '../../workflows/failures';
import { applyPaymentUpdate, getInvoiceStateQuery, type ApplyPaymentResult } from '../../workflows/definitions';
import type { DomainError } from '../../domain/errors';
import { insertInvoice, paymentFor, readEvents, readInvoice, readPayments, useInvoiceHarness, type InvoiceHarness } from '../support/fixtures';

const h = useInvoiceHarness('wf-payments');

async function newInvoice(total: number, currency = 'USD') {
  const fx = await insertInvoice(h.orm, { now: await h.env.currentTimeMs(), total, currency });
  const handle = await h.start(fx);
  return { fx, handle };
}
type Handle = Awaited<ReturnType<InvoiceHarness['start']>>;
const pay = (handle: Handle, p: ReturnType<typeof paymentFor>, updateId = p.paymentId) =>
  handle.executeUpdate(applyPaymentUpdate, { args: [p], updateId });

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the update to be rejected');
    },
    (e: unknown) => e,
  );
  const domain = fromFailure(err);
  if (!domain) throw new Error(`rejected without a DomainError: ${String(err)}`);
  return domain;
}

describe('payment updates', () => {
  test('(e) the same payment id sent 5 times (also concurrently) is applied once', async () => {
    const { fx, handle } = await newInvoice(5000);
    const p = paymentFor(fx, 1200);

    const first = await pay(handle, p);
    expect(first).toMatchObject({ duplicate: false, paid: 1200, due: 3800 });
    // Retries by the same caller reuse the update id; a different caller (e.g. a second API node,
    // or a retry after the first update's outcome was forgotten) sends a new update id.
    const concurrent = await Promise.all([pay(handle, p), pay(handle, p, `${p.paymentId}:retry-1`), pay(handle, p, `${p.paymentId}:retry-2`)]);
    const last = await pay(handle, p, `${p.paymentId}:retry-3`);
    for (const r of [...concurrent, last]) expect(r).toMatchObject({ paymentId: p.paymentId, paid: 1200, due: 3800, status: 'open' });
    // Same update id: the server returns the first outcome (or the workflow reports a duplicate).
    expect({ ...concurrent[0], duplicate: false }).toEqual(first);
    for (const r of [concurrent[1], concurrent[2], last]) expect(r.duplicate).toBe(true);

    expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ paid: 1200, due: 3800 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 1200, due: 3800, status: 'open' });
    const rows = await readPayments(h.orm, { contactId: fx.contactId });
    expect(rows).toEqual([{ id: p.paymentId, amount: 1200, currency: 'USD', invoiceId: fx.invoiceId, contactId: fx.contactId }]);
    expect((await readEvents(h.orm, fx.invoiceId)).filter((e) => e.type === 'payment_applied')).toHaveLength(1);
  });

  test('(e) the same new payment id sent 5 times concurrently is applied once', async () => {
    const { fx, handle } = await newInvoice(5000);
    const p = paymentFor(fx, 700);
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => pay(handle, p, `${p.paymentId}:${i}`)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(results.filter((r) => r.duplicate)).toHaveLength(4);
    for (const r of results) expect(r).toMatchObject({ paid: 700, due: 4300 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 700, due: 4300 });
    expect(await readPayments(h.orm, { contactId: fx.contactId })).toHaveLength(1);
  });

  test('(e) an overpayment is rejected with the amount due; nothing is recorded', async () => {
    const { fx, handle } = await newInvoice(5000);
    await pay(handle, paymentFor(fx, 4000));
    const over = paymentFor(fx, 1001);
    const err = await rejection(pay(handle, over));
    expect(err).toMatchObject({ kind: 'conflict', code: 'overpayment' });
    expect(err.details).toEqual({ due: 1000, amount: 1001 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 4000, due: 1000, status: 'open' });
    expect((await readPayments(h.orm, { contactId: fx.contactId })).map((r) => r.id)).not.toContain(over.paymentId);
    // The exact remainder is still accepted.
    expect(await pay(handle, paymentFor(fx, 1000))).toMatchObject({ status: 'paid', due: 0 });
  });

  test('(e) a payment in another currency is rejected', async () => {
    const { fx, handle } = await newInvoice(5000, 'EUR');
    const usd = paymentFor(fx, 100, { currency: 'USD' });
    const err = await rejection(pay(handle, usd));
    expect(err).toMatchObject({ kind: 'conflict', code: 'currency_mismatch' });
    expect(err.details).toEqual({ invoiceCurrency: 'EUR' });
    expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ paid: 0, due: 5000, version: 0 });
    expect(await readPayments(h.orm, { contactId: fx.contactId })).toEqual([]);
    expect(await pay(handle, paymentFor(fx, 100))).toMatchObject({ paid: 100 });
  });

  test.each([
    // 50 × 100 fill the invoice exactly; the other 10 find it paid.
    { total: 5000, code: 'invoice_paid', due: 0, status: 'paid' },
    // 50 × 100 leave 50 due; the other 10 would overpay it.
    { total: 5050, code: 'overpayment', due: 50, status: 'open' },
  ])('(f) 60 concurrent payments of 100 on a total of $total: exactly 50 accepted', async ({ total, code, due, status }) => {
    const { fx, handle } = await newInvoice(total);
    const payments = Array.from({ length: 60 }, () => paymentFor(fx, 100));
    const settled = await Promise.allSettled(payments.map((p) => pay(handle, p)));

    const ok = settled.filter((s): s is PromiseFulfilledResult<ApplyPaymentResult> => s.status === 'fulfilled');
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(ok).toHaveLength(50);
    expect(rejected).toHaveLength(10);
    for (const r of ok) expect(r.value.duplicate).toBe(false);
    for (const r of rejected) {
      const err = fromFailure(r.reason);
      expect(err).toMatchObject({ kind: 'conflict', code });
      expect(err!.details.due).toBe(due);
    }
    // Each accepted update saw its own payment applied: the paid amounts reported are 100..5000, once each.
    expect(ok.map((r) => r.value.paid).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 100));

    expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ paid: 5000, due, status });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 5000, due, status });
    const rows = await readPayments(h.orm, { invoiceId: fx.invoiceId });
    expect(rows).toHaveLength(50);
    expect(rows.reduce((s, r) => s + r.amount, 0)).toBe(5000);
    const acceptedIds = new Set(ok.map((r) => r.value.paymentId));
    expect(new Set(rows.map((r) => r.id))).toEqual(acceptedIds);
    expect(await readPayments(h.orm, { contactId: fx.contactId })).toHaveLength(50);
  });
});
