import { createInvoiceViaApi, useTestStack, createTestTenant } from '../support/stack';

const stack = useTestStack();

test('an invoice takes a payment and shows the new balance', async () => {
  const { request } = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(request, { total: 5000 });
  expect(invoice).toMatchObject({ number: 'INV-000001', total: 5000, paid: 0, due: 5000, status: 'open' });
  const pay = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 1500, method: 'cash' });
  expect(pay.status).toBe(201);
  expect(pay.body).toMatchObject({ amount: 1500, method: 'cash', source: 'manual', invoice: { id: invoice.id } });
  const after = await request('GET', `/v1/invoices/${invoice.id}`);
  expect(after.body).toMatchObject({ paid: 1500, due: 3500, status: 'open' });
  expect(after.body.payments).toHaveLength(1);
});
