/**
 * The lists read plain rows (db/read-rows.ts) instead of managed entities: every field the API
 * shows must come out as em.find gives it — money as numbers (bigint columns), timestamps as Dates,
 * joined relations nested, the others as `{ id }`.
 */
import { Invoice, Payment, PlannedPayment } from '../../db';
import { findRows } from '../../db/read-rows';
import { invoiceJson } from '../../api/serializers/invoices';
import { paymentJson } from '../../api/serializers/payments';
import { plannedPaymentJson } from '../../api/serializers/payment-plans';
import { createTestTenant, useTestStack } from '../support/stack';
import { newContact, newInvoice } from '../support/api';

const stack = useTestStack();

test('plain rows serialize exactly as entities do, with money as numbers and timestamps as Dates', async () => {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request, 'Grace Hopper');
  const deal = await t.request('POST', '/v1/deals', { name: 'Deal', contactId: contact.id, amount: 90_000, currency: 'USD' });
  const invoice = await newInvoice(t.request, contact.id, {
    dealId: deal.body.id,
    lineItems: [{ description: 'Consulting', quantity: 2, unitAmount: 5_000 }],
    paymentPlan: [
      { amount: 4_000, date: '2098-03-01', method: 'wire_transfer' },
      { amount: 6_000, date: '2098-06-01' },
    ],
  });
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 2_500, method: 'check', reference: 'CHK 1' })).status).toBe(201);
  expect((await t.request('POST', '/v1/payments', { contactId: contact.id, amount: 700, currency: 'USD', method: 'cash' })).status).toBe(201);

  const where = { tenant: t.tenantId };
  const invoiceRows = await findRows(stack.deps.em, Invoice, where, { orderBy: { id: 'asc' }, populate: ['contact'] });
  const invoices = await stack.deps.em.find(Invoice, where, { orderBy: { id: 'asc' }, populate: ['contact'] });
  expect(invoiceRows).toHaveLength(1);
  expect(invoiceRows[0]).toMatchObject({ total: 10_000, paid: 2_500, due: 7_500, credited: 0, writtenOff: 0, deal: { id: deal.body.id }, contact: { id: contact.id, name: 'Grace Hopper' } });
  expect(invoiceRows[0].createdAt).toBeInstanceOf(Date);
  const asInvoice = (i: Invoice) => invoiceJson({ invoice: i, plan: [], customerUrl: '' });
  expect(invoiceRows.map(asInvoice)).toEqual(invoices.map(asInvoice));

  const paymentRows = await findRows(stack.deps.em, Payment, where, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], populate: ['contact', 'invoice'] });
  const payments = await stack.deps.em.find(Payment, where, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], populate: ['contact', 'invoice'] });
  expect(paymentRows.map((p) => [p.amount, p.invoice?.number ?? null])).toEqual([
    [2_500, invoice.number],
    [700, null],
  ]);
  const asPayment = (p: Payment) => paymentJson({ payment: p, refunded: 0, refunds: [], parts: [] });
  expect(paymentRows.map(asPayment)).toEqual(payments.map(asPayment));

  const planRows = await findRows(stack.deps.em, PlannedPayment, where, { orderBy: { seq: 'asc' }, populate: ['invoice', 'invoice.contact'] });
  const plans = await stack.deps.em.find(PlannedPayment, where, { orderBy: { seq: 'asc' }, populate: ['invoice', 'invoice.contact'] });
  expect(planRows.map((p) => [p.amount, p.invoice.contact.name, p.invoice.paid])).toEqual([
    [4_000, 'Grace Hopper', 2_500],
    [6_000, 'Grace Hopper', 2_500],
  ]);
  expect(planRows.map(plannedPaymentJson)).toEqual(plans.map(plannedPaymentJson));
});

test('a populate path needs its parent joined first', async () => {
  await expect(findRows(stack.deps.em, PlannedPayment, {}, { orderBy: { id: 'asc' }, populate: ['invoice.contact'] })).rejects.toThrow(/before its parent/);
});
