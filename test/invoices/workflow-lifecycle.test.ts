/**
 * Invoice workflow lifecycle on the real time-skipping Temporal test server, with a real worker whose
 * activities write to the real test database: overdue, partial payments, void, signals, reversals.
 */
import { fromFailure } from '../../workflows/failures';
import { applyPaymentUpdate, getInvoiceStateQuery, paymentReceivedSignal, paymentReversedSignal, voidInvoiceUpdate } from '../../workflows/definitions';
import { eventually, insertInvoice, paymentFor, readEvents, readInvoice, readPayments, useInvoiceHarness, type InvoiceHarness } from '../support/fixtures';

const MINUTE = 60_000;
const h = useInvoiceHarness('wf-lifecycle');

async function newInvoice(opts: Parameters<typeof insertInvoice>[1] = {}) {
  const fx = await insertInvoice(h.orm, { now: await h.env.currentTimeMs(), ...opts });
  const handle = await h.start(fx);
  return { fx, handle };
}
const pay = (handle: Awaited<ReturnType<InvoiceHarness['start']>>, p: ReturnType<typeof paymentFor>) =>
  handle.executeUpdate(applyPaymentUpdate, { args: [p], updateId: p.paymentId });

describe('invoice workflow lifecycle', () => {
  test('(a) becomes overdue only once the due date has fully passed in the tenant zone', async () => {
    const { fx, handle } = await newInvoice({ timeZone: 'America/New_York', total: 5000 });
    expect(fx.input.overdueAt).toBeGreaterThan(await h.env.currentTimeMs());

    await h.skipTo(fx.input.overdueAt - MINUTE);
    expect((await handle.query(getInvoiceStateQuery)).status).toBe('open');
    expect((await readInvoice(h.orm, fx.invoiceId)).status).toBe('open');
    expect((await readEvents(h.orm, fx.invoiceId)).map((e) => e.type)).not.toContain('became_overdue');

    await h.skipTo(fx.input.overdueAt + MINUTE);
    await eventually(async () => expect((await handle.query(getInvoiceStateQuery)).status).toBe('overdue'));
    const row = await eventually(async () => {
      const r = await readInvoice(h.orm, fx.invoiceId);
      expect(r.status).toBe('overdue');
      return r;
    });
    expect(row).toMatchObject({ paid: 0, due: 5000 });
    const events = await readEvents(h.orm, fx.invoiceId);
    const overdue = events.filter((e) => e.type === 'became_overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0].data).toEqual({ due: 5000 });
    // Fired by the durable timer at the tenant's midnight, not before.
    expect(overdue[0].occurredAt.getTime()).toBeGreaterThanOrEqual(fx.input.overdueAt);
    expect(overdue[0].occurredAt.getTime()).toBeLessThan(fx.input.overdueAt + MINUTE);
  });

  test('(b) partial payments lead to paid, in the workflow and in Postgres', async () => {
    const { fx, handle } = await newInvoice({ total: 5000 });
    const amounts = [1000, 1500, 2500];
    const payments = amounts.map((a) => paymentFor(fx, a));
    let paid = 0;
    for (const p of payments) {
      const res = await pay(handle, p);
      paid += p.amount;
      expect(res).toMatchObject({ paymentId: p.paymentId, duplicate: false, paid, due: 5000 - paid, status: paid === 5000 ? 'paid' : 'open' });
      // The update returns only once Postgres has the change: read-your-writes, no polling.
      expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid, due: 5000 - paid, status: res.status });
    }
    expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ paid: 5000, due: 0, status: 'paid' });
    const rows = await readPayments(h.orm, { contactId: fx.contactId });
    expect(rows.map((r) => [r.id, r.amount, r.invoiceId, r.currency]).sort()).toEqual(payments.map((p) => [p.paymentId, p.amount, fx.invoiceId, 'USD']).sort());
    const events = await readEvents(h.orm, fx.invoiceId);
    expect(events.filter((e) => e.type === 'payment_applied')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'paid')).toHaveLength(1);
    expect(events.map((e) => e.type)).not.toContain('became_overdue');
  });

  test('(c) an overdue invoice can still be paid', async () => {
    const { fx, handle } = await newInvoice({ total: 8000, timeZone: 'Pacific/Auckland' });
    await h.skipTo(fx.input.overdueAt + MINUTE);
    await eventually(async () => expect((await readInvoice(h.orm, fx.invoiceId)).status).toBe('overdue'));

    const first = await pay(handle, paymentFor(fx, 3000));
    expect(first).toMatchObject({ status: 'overdue', paid: 3000, due: 5000 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'overdue', paid: 3000, due: 5000 });

    const second = await pay(handle, paymentFor(fx, 5000));
    expect(second).toMatchObject({ status: 'paid', paid: 8000, due: 0 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'paid', paid: 8000, due: 0 });
    const types = (await readEvents(h.orm, fx.invoiceId)).map((e) => e.type);
    expect(types.filter((t) => t === 'became_overdue')).toHaveLength(1);
    expect(types.filter((t) => t === 'paid')).toHaveLength(1);
    expect(types.indexOf('became_overdue')).toBeLessThan(types.indexOf('paid'));
  });

  test('(d) voiding ends the workflow; later payments are rejected', async () => {
    const { fx, handle } = await newInvoice({ total: 5000 });
    const snap = await handle.executeUpdate(voidInvoiceUpdate, { args: [{ reason: 'issued twice' }] });
    expect(snap).toMatchObject({ status: 'void', paid: 0 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'void', paid: 0 });
    const voided = (await readEvents(h.orm, fx.invoiceId)).filter((e) => e.type === 'voided');
    expect(voided).toHaveLength(1);
    expect(voided[0].data).toEqual({ reason: 'issued twice' });

    expect(await handle.result()).toMatchObject({ status: 'void' });
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    const late = paymentFor(fx, 500);
    await expect(pay(handle, late)).rejects.toThrow();
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'void', paid: 0 });
    expect((await readPayments(h.orm, { contactId: fx.contactId })).map((p) => p.id)).not.toContain(late.paymentId);
  });

  test('(d) a paid invoice cannot be voided (conflict:invoice_paid)', async () => {
    const { fx, handle } = await newInvoice({ total: 2500 });
    await pay(handle, paymentFor(fx, 2500));
    const err = await handle.executeUpdate(voidInvoiceUpdate, { args: [{ reason: 'oops' }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect((err as { cause?: { type?: string } }).cause?.type).toBe('conflict:invoice_paid');
    const domain = fromFailure(err);
    expect(domain).toMatchObject({ kind: 'conflict', code: 'invoice_paid' });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'paid', paid: 2500, due: 0 });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await readEvents(h.orm, fx.invoiceId)).map((e) => e.type)).not.toContain('voided');
  });

  test('(i) a Stripe payment above the due pays the invoice and keeps the excess on the contact', async () => {
    const { fx, handle } = await newInvoice({ total: 5000 });
    await pay(handle, paymentFor(fx, 1000));
    const stripe = paymentFor(fx, 7000, { method: 'card', source: 'stripe', reference: 'pi_123' });
    await handle.signal(paymentReceivedSignal, stripe);
    // The same Stripe event delivered again is ignored.
    await handle.signal(paymentReceivedSignal, stripe);

    await eventually(async () => expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'paid', paid: 5000, due: 0 }));
    expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ status: 'paid', paid: 5000, due: 0 });
    const rows = await eventually(async () => {
      const r = await readPayments(h.orm, { contactId: fx.contactId });
      expect(r).toHaveLength(3);
      return r;
    });
    const applied = rows.find((r) => r.id === stripe.paymentId);
    expect(applied).toMatchObject({ amount: 4000, invoiceId: fx.invoiceId, currency: 'USD' });
    const excess = rows.filter((r) => r.invoiceId === null);
    expect(excess).toHaveLength(1);
    expect(excess[0]).toMatchObject({ amount: 3000, contactId: fx.contactId, currency: 'USD' });
    // Nothing is lost: every cent of both payments is recorded exactly once.
    expect(rows.reduce((s, r) => s + r.amount, 0)).toBe(1000 + 7000);
  });

  test('(i) a reversal after payment reopens the invoice', async () => {
    const { fx, handle } = await newInvoice({ total: 5000 });
    await pay(handle, paymentFor(fx, 5000));
    await handle.signal(paymentReversedSignal, { reversalId: 're_1', paymentId: null, amount: 1500, kind: 'refund', reference: null });
    await handle.signal(paymentReversedSignal, { reversalId: 're_1', paymentId: null, amount: 1500, kind: 'refund', reference: null });
    await eventually(async () => expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'open', paid: 3500, due: 1500 }));
    expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ status: 'open', paid: 3500, due: 1500 });
    const events = await readEvents(h.orm, fx.invoiceId);
    expect(events.filter((e) => e.type === 'reopened').map((e) => e.data)).toEqual([{ status: 'open', due: 1500 }]);
    expect(events.filter((e) => e.type === 'payment_reversed')).toHaveLength(1);

    // It can be paid again, and then becomes paid once more.
    expect(await pay(handle, paymentFor(fx, 1500))).toMatchObject({ status: 'paid', due: 0 });
    expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'paid', paid: 5000 });
  });

  test('(i) a reversal after the due date reopens a paid invoice as overdue', async () => {
    const { fx, handle } = await newInvoice({ total: 4000, timeZone: 'America/New_York' });
    await pay(handle, paymentFor(fx, 4000));
    await h.skipTo(fx.input.overdueAt + 10 * MINUTE);
    // Paid invoices do not become overdue.
    expect((await handle.query(getInvoiceStateQuery)).status).toBe('paid');

    await handle.signal(paymentReversedSignal, { reversalId: 'dp_1', paymentId: null, amount: 4000, kind: 'dispute', reference: 'dp_1' });
    await eventually(async () => expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ status: 'overdue', paid: 0, due: 4000 }));
    expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ status: 'overdue', paid: 0, due: 4000 });
    const types = (await readEvents(h.orm, fx.invoiceId)).map((e) => e.type);
    expect(types).toContain('reopened');
  });
});

