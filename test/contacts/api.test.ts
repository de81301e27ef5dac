import { useTestStack, createTestTenant } from '../support/stack';
import { countWhere, expectError, invoiceBody, ISO_DATETIME, newContact, newInvoice, UUID } from '../support/api';

const stack = useTestStack();

describe('contacts and deals', () => {
  test('create, get and list contacts with exact shapes', async () => {
    const { tenantId, request } = await createTestTenant(stack);
    const res = await request('POST', '/v1/contacts', { name: '  Grace Hopper ', email: 'grace@example.com', company: 'Navy' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(UUID), name: 'Grace Hopper', email: 'grace@example.com', company: 'Navy', createdAt: expect.stringMatching(ISO_DATETIME) });
    const got = await request('GET', `/v1/contacts/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    const list = await request('GET', '/v1/contacts');
    expect(list.body).toEqual({ data: [res.body], nextCursor: null });
    expect(await countWhere(stack, 'contacts', 'tenant_id = ? and name = ?', [tenantId, 'Grace Hopper'])).toBe(1);
  });

  test('create and list deals; an invoice may reference a deal', async () => {
    const { request } = await createTestTenant(stack);
    const contact = await newContact(request);
    const deal = await request('POST', '/v1/deals', { name: 'Big deal', contactId: contact.id, amount: 120000, currency: 'EUR' });
    expect(deal.status).toBe(201);
    expect(deal.body).toEqual({ id: expect.stringMatching(UUID), name: 'Big deal', contact: { id: contact.id, name: contact.name }, amount: 120000, currency: 'EUR', createdAt: expect.stringMatching(ISO_DATETIME) });
    const list = await request('GET', '/v1/deals');
    expect(list.body).toEqual({ data: [deal.body], nextCursor: null });
    const inv = await newInvoice(request, contact.id, { dealId: deal.body.id });
    expect(inv).toMatchObject({ dealId: deal.body.id });

    // A deal of another contact cannot be billed to this one, and nothing is created.
    const other = await newContact(request, 'Grace Hopper');
    const before = await countWhere(stack, 'invoices', 'contact_id = ?', [other.id]);
    const mismatch = await request('POST', '/v1/invoices', invoiceBody(other.id, { dealId: deal.body.id }));
    expectError(mismatch, 409, 'deal_contact_mismatch');
    expect(await countWhere(stack, 'invoices', 'contact_id = ?', [other.id])).toBe(before);
  });
});
