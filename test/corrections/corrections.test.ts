/**
 * Correcting money: voiding manual payments, the contact's credit (excess, payments on no invoice),
 * applying it, one payment across several invoices, write-offs and credit notes — through the API on
 * the real stack (Postgres, Temporal dev server, the worker).
 */
import { invoiceWorkflowId, getInvoiceStateQuery } from '../../workflows/definitions';
import { countWhere, expectError, invoiceRow, newContact, newInvoice } from '../support/api';
import { eventually } from '../support/fixtures';
import { createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack();

async function setup(totals: number[] = [5000]) {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request, 'Payer Person');
  const invoices = [];
  for (const total of totals) invoices.push(await newInvoice(t.request, contact.id, { lineItems: [{ description: 'Work', quantity: 1, unitAmount: total }] }));
  const credit = async () => (await t.request('GET', `/v1/contacts/${contact.id}/credit`)).body;
  const history = async (invoiceId: string) => ((await t.request('GET', `/v1/invoices/${invoiceId}`)).body.history as { type: string; data: Record<string, unknown> }[]);
  return { ...t, contact, invoices, invoice: invoices[0], credit, history };
}

const ledgerSum = async (tenantId: string) => {
  const [row] = await stack.orm.em.fork().getConnection().execute<{ entries: string | null; balances: string | null }[]>(
    `select (select sum(amount) from contact_credit_entries where tenant_id = ?) as entries, (select sum(balance) from contact_credit_balances where tenant_id = ?) as balances`,
    [tenantId, tenantId],
  );
  return { entries: Number(row.entries ?? 0), balances: Number(row.balances ?? 0) };
};

test('voiding a manual payment reopens the paid invoice, shows who/when/why, is idempotent, and is in the history', async () => {
  const { request, invoice, history } = await setup([5000]);
  const paid = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 5000, method: 'check', reference: 'chq 1' });
  expect(paid.status).toBe(201);
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ status: 'paid', paid: 5000, due: 0 });

  const voided = await request('POST', `/v1/payments/${paid.body.id}/void`, { reason: 'check bounced' });
  expect(voided.status).toBe(200);
  expect(voided.body).toMatchObject({ id: paid.body.id, status: 'voided', voided: { reason: 'check bounced', by: expect.stringMatching(/^api_key:/), at: expect.any(String) }, amount: 5000 });
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ status: 'open', paid: 0, due: 5000 });
  const again = await request('POST', `/v1/payments/${paid.body.id}/void`, { reason: 'check bounced' });
  expect(again.status).toBe(200);
  expect(again.body.voided).toEqual(voided.body.voided);
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ paid: 0, due: 5000 });
  const types = (await history(invoice.id)).map((e) => e.type);
  expect(types.filter((t) => t === 'payment_voided')).toHaveLength(1);
  expect(types).toEqual(expect.arrayContaining(['paid', 'reopened', 'payment_voided']));
  const state = await stack.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id)).query(getInvoiceStateQuery);
  expect(state).toMatchObject({ paid: 0, due: 5000, status: 'open' });
  // It can be paid again, and the invoice's list shows the voided one as such.
  expect((await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 5000, method: 'cash' })).status).toBe(201);
  const list = await request('GET', `/v1/payments?invoiceId=${invoice.id}`);
  expect(list.body.data.map((p: { status: string }) => p.status).sort()).toEqual(['succeeded', 'voided']);
  expectError(await request('POST', `/v1/payments/${paid.body.id}/void`, { reason: '   ' }), 400);
});

test('a Stripe payment cannot be voided (409 pointing to refunds); unknown payment is 404', async () => {
  const { tenantId, request, contact, invoice } = await setup([5000]);
  await stack.orm.em.fork().getConnection().execute(
    `insert into payments (id, tenant_id, contact_id, invoice_id, amount, currency, date, method, source, created_at) values (gen_random_uuid(), ?, ?, ?, 100, 'USD', '2026-12-01', 'card', 'stripe', now())`,
    [tenantId, contact.id, invoice.id],
  );
  const [card] = await stack.orm.em.fork().getConnection().execute<{ id: string }[]>(`select id from payments where tenant_id = ? and source = 'stripe'`, [tenantId]);
  expectError(await request('POST', `/v1/payments/${card.id}/void`, { reason: 'x' }), 409, 'stripe_payment_refund_instead');
  expectError(await request('POST', '/v1/payments/0190f0f0-0000-7000-8000-000000000000/void', { reason: 'x' }), 404, 'not_found');
});

test("credit: payments on no invoice are the contact's credit per currency; applying it pays an invoice; voiding spent credit is refused", async () => {
  const { tenantId, request, contact, invoice, credit } = await setup([5000]);
  const loose = await request('POST', '/v1/payments', { contactId: contact.id, amount: 3000, currency: 'USD', method: 'wire_transfer' });
  await request('POST', '/v1/payments', { contactId: contact.id, amount: 900, currency: 'EUR', method: 'cash' });
  expect((await credit()).balances).toEqual([
    { currency: 'EUR', balance: 900 },
    { currency: 'USD', balance: 3000 },
  ]);
  const applied = await request('POST', `/v1/invoices/${invoice.id}/apply-credit`, { amount: 2000 }, { 'idempotency-key': `apply-${invoice.id}` });
  expect(applied.status).toBe(201);
  expect(applied.body).toMatchObject({ method: 'credit', source: 'credit', amount: 2000, invoice: { id: invoice.id }, status: 'succeeded' });
  const retried = await request('POST', `/v1/invoices/${invoice.id}/apply-credit`, { amount: 2000 }, { 'idempotency-key': `apply-${invoice.id}` });
  expect(retried.body.id).toBe(applied.body.id);
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ paid: 2000, due: 3000 });
  expect((await credit()).balances).toEqual([
    { currency: 'EUR', balance: 900 },
    { currency: 'USD', balance: 1000 },
  ]);
  expectError(await request('POST', `/v1/invoices/${invoice.id}/apply-credit`, { amount: 1001 }), 409, 'insufficient_credit');
  // The 3000 on no invoice was partly spent: voiding it would take back credit that is gone.
  expectError(await request('POST', `/v1/payments/${loose.body.id}/void`, { reason: 'typo' }), 409, 'insufficient_credit');
  // Voiding the credit application puts the credit back.
  const undone = await request('POST', `/v1/payments/${applied.body.id}/void`, { reason: 'wrong invoice' });
  expect(undone.body.status).toBe('voided');
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ paid: 0, due: 5000 });
  expect((await credit()).balances).toContainEqual({ currency: 'USD', balance: 3000 });
  expect((await request('POST', `/v1/payments/${loose.body.id}/void`, { reason: 'typo' })).body.status).toBe('voided');
  expect((await credit()).balances).toEqual([{ currency: 'EUR', balance: 900 }]);
  expect(await ledgerSum(tenantId)).toEqual({ entries: 900, balances: 900 });
});

test('an overpayment by card leaves its excess as credit, which pays the next invoice', async () => {
  const { request, contact, invoices, credit } = await setup([1000, 700]);
  // A Stripe payment larger than the due: the workflow keeps the excess on the contact.
  await stack.temporal.workflow.getHandle(invoiceWorkflowId(invoices[0].id)).signal('paymentReceived', {
    paymentId: '0190f0f0-0000-7000-8000-00000000aa01',
    contactId: contact.id,
    amount: 1500,
    currency: 'USD',
    date: '2026-12-01',
    method: 'card',
    reference: 'pi_1',
    source: 'stripe',
  });
  await eventually(async () => expect((await credit()).balances).toHaveLength(1));
  expect((await credit()).balances).toEqual([{ currency: 'USD', balance: 500 }]);
  expect((await request('POST', `/v1/invoices/${invoices[1].id}/apply-credit`, { amount: 500 })).status).toBe(201);
  expect(await invoiceRow(stack, invoices[1].id)).toMatchObject({ paid: 500, due: 200 });
  expect((await credit()).balances).toEqual([]);
});

test('two applications racing for the same credit never spend it twice', async () => {
  const { tenantId, request, contact, invoices, credit } = await setup([1000, 1000, 1000, 1000]);
  await request('POST', '/v1/payments', { contactId: contact.id, amount: 1500, currency: 'USD', method: 'wire_transfer' });
  const results = await Promise.all(invoices.map((inv) => request('POST', `/v1/invoices/${inv.id}/apply-credit`, { amount: 1000 })));
  expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
  for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('insufficient_credit');
  expect((await credit()).balances).toEqual([{ currency: 'USD', balance: 500 }]);
  const paid = await Promise.all(invoices.map((inv) => invoiceRow(stack, inv.id)));
  expect(paid.reduce((sum, row) => sum + (row?.paid ?? 0), 0)).toBe(1000);
  expect(await ledgerSum(tenantId)).toEqual({ entries: 500, balances: 500 });
});

test('one payment across several invoices: every allocation lands, the remainder is credit, the list shows the payment with its parts', async () => {
  const { tenantId, request, contact, invoices, credit } = await setup([1000, 1500]);
  const body = { contactId: contact.id, amount: 3000, currency: 'USD', method: 'wire_transfer', reference: 'one wire', allocations: invoices.map((inv, i) => ({ invoiceId: inv.id, amount: [1000, 1500][i] })) };
  const res = await request('POST', '/v1/payments', body, { 'idempotency-key': `alloc-${contact.id}` });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ amount: 3000, invoice: null, parentId: null, status: 'succeeded' });
  expect(res.body.allocations).toEqual([
    expect.objectContaining({ invoice: expect.objectContaining({ id: invoices[0].id }), amount: 1000 }),
    expect.objectContaining({ invoice: expect.objectContaining({ id: invoices[1].id }), amount: 1500 }),
    expect.objectContaining({ invoice: null, amount: 500 }),
  ]);
  expect(await invoiceRow(stack, invoices[0].id)).toMatchObject({ status: 'paid', paid: 1000 });
  expect(await invoiceRow(stack, invoices[1].id)).toMatchObject({ status: 'paid', paid: 1500 });
  expect((await credit()).balances).toEqual([{ currency: 'USD', balance: 500 }]);
  // A retry with the same key is the same payment, applied once.
  const retry = await request('POST', '/v1/payments', body, { 'idempotency-key': `alloc-${contact.id}` });
  expect(retry.body.id).toBe(res.body.id);
  expect(await countWhere(stack, 'payments', 'tenant_id = ?', [tenantId])).toBe(4);
  const list = await request('GET', `/v1/payments?contactId=${contact.id}`);
  expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([res.body.id]);
  const onInvoice = await request('GET', `/v1/payments?invoiceId=${invoices[1].id}`);
  expect(onInvoice.body.data).toEqual([expect.objectContaining({ parentId: res.body.id, amount: 1500 })]);
});

test('an allocation that does not fit is refused before anything moves', async () => {
  const { tenantId, request, contact, invoices, credit } = await setup([1000, 1500]);
  const over = await request('POST', '/v1/payments', { contactId: contact.id, amount: 3000, currency: 'USD', method: 'cash', allocations: [{ invoiceId: invoices[0].id, amount: 1000 }, { invoiceId: invoices[1].id, amount: 1600 }] });
  expectError(over, 409, 'overpayment');
  expect(over.body.error.details).toMatchObject({ allocation: 1, invoiceId: invoices[1].id, due: 1500 });
  expectError(await request('POST', '/v1/payments', { contactId: contact.id, amount: 1000, currency: 'USD', method: 'cash', allocations: [{ invoiceId: invoices[0].id, amount: 1000 }, { invoiceId: invoices[1].id, amount: 1 }] }), 400, 'allocations_exceed_amount');
  expectError(await request('POST', '/v1/payments', { contactId: contact.id, amount: 2000, currency: 'EUR', method: 'cash', allocations: [{ invoiceId: invoices[0].id, amount: 1000 }] }), 409, 'currency_mismatch');
  expect(await countWhere(stack, 'payments', 'tenant_id = ?', [tenantId])).toBe(0);
  expect((await credit()).balances).toEqual([]);
});

test('write-off closes the due (paid status, amount apart); credit notes lower the total; both refuse what does not fit', async () => {
  const { request, invoices, history } = await setup([5000, 8000]);
  const [a, b] = invoices;
  await request('POST', `/v1/invoices/${a.id}/payments`, { amount: 4990, method: 'cash' });
  const off = await request('POST', `/v1/invoices/${a.id}/write-off`, { reason: 'small balance' });
  expect(off.status).toBe(200);
  expect(off.body).toMatchObject({ status: 'paid', paid: 4990, writtenOff: 10, credited: 0, due: 0 });
  expectError(await request('POST', `/v1/invoices/${a.id}/write-off`, { reason: 'again' }), 409, 'invoice_paid');
  expect((await history(a.id)).find((e) => e.type === 'written_off')?.data).toMatchObject({ amount: 10, reason: 'small balance' });

  const note = await request('POST', `/v1/invoices/${b.id}/credit-notes`, { amount: 3000, reason: 'disputed line' }, { 'idempotency-key': `cn-${b.id}` });
  expect(note.status).toBe(201);
  expect(note.body).toMatchObject({ status: 'open', total: 8000, credited: 3000, due: 5000 });
  const same = await request('POST', `/v1/invoices/${b.id}/credit-notes`, { amount: 3000, reason: 'disputed line' }, { 'idempotency-key': `cn-${b.id}` });
  expect(same.body.credited).toBe(3000);
  expectError(await request('POST', `/v1/invoices/${b.id}/credit-notes`, { amount: 5001, reason: 'too much' }), 409, 'credit_note_exceeds_due');
  expectError(await request('POST', `/v1/invoices/${b.id}/payments`, { amount: 5001, method: 'cash' }), 409, 'overpayment');
  expect((await request('POST', `/v1/invoices/${b.id}/payments`, { amount: 5000, method: 'cash' })).status).toBe(201);
  const settled = (await request('GET', `/v1/invoices/${b.id}`)).body;
  expect(settled).toMatchObject({ status: 'paid', paid: 5000, credited: 3000, due: 0 });
  // The plan (one instalment of 8000) counts the credit note as settling it, like the payment.
  expect(settled.paymentPlan.map((p: { covered: boolean }) => p.covered)).toEqual([true]);
  expect((await history(b.id)).filter((e) => e.type === 'credit_note_issued')).toHaveLength(1);
});

test('a void invoice refuses a write-off and a credit note in their own words (409 invoice_void), and nothing changes', async () => {
  const { request, invoice, history } = await setup([5000]);
  expect((await request('POST', `/v1/invoices/${invoice.id}/void`, { reason: 'sent twice' })).status).toBe(200);
  for (const [url, body] of [
    [`/v1/invoices/${invoice.id}/write-off`, { reason: 'uncollectable' }],
    [`/v1/invoices/${invoice.id}/credit-notes`, { amount: 1000, reason: 'disputed' }],
  ] as const) {
    const res = await request('POST', url, body);
    expectError(res, 409, 'invoice_void');
    expect(res.body.error).toEqual({ code: 'invoice_void', message: 'a void invoice takes no credit notes or write-offs', details: { status: 'void' } });
  }
  // Payments keep theirs.
  expect((await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash' })).body.error.message).toBe('invoice is void and accepts no payments');
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ status: 'void', paid: 0 });
  expect((await history(invoice.id)).map((e) => e.type)).not.toEqual(expect.arrayContaining(['written_off']));
  expect((await history(invoice.id)).map((e) => e.type)).not.toEqual(expect.arrayContaining(['credit_note_issued']));
});
